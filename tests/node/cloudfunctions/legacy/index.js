// wx-server-sdk 2.6.3 (@cloudbase/node-sdk 2.9.1): same protocol, its own error shapes.
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();

exports.main = async (event) => {
  const ctx = cloud.getWXContext();
  if (event.action === 'call') {
    try {
      await cloud.callFunction({ name: event.target, data: {} });
      return { ok: true };
    } catch (err) {
      return { errCode: err.errCode, errMsg: err.errMsg };
    }
  }
  const added = await db.collection('notes').add({ data: { openid: ctx.OPENID, text: event.text, at: db.serverDate() } });
  const got = await db.collection('notes').doc(added._id).get();
  return { ctx, note: got.data, version: require('wx-server-sdk/package.json').version };
};
