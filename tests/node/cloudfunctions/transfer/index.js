// Moves points between two accounts in a transaction; refuses overdrafts by rolling back.
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();
const _ = db.command;

exports.main = async (event) => {
  try {
    const moved = await db.runTransaction(async (transaction) => {
      const from = (await transaction.collection('accounts').doc(event.from).get()).data;
      if (from.points < event.amount) {
        await transaction.rollback(`insufficient points: ${from.points}`);
        return null;
      }
      await transaction.collection('accounts').doc(event.from).update({ data: { points: _.inc(-event.amount) } });
      await transaction.collection('accounts').doc(event.to).update({ data: { points: _.inc(event.amount) } });
      return event.amount;
    });
    return { ok: true, moved };
  } catch (reason) {
    return { ok: false, reason };
  }
};
