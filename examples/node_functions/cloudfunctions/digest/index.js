// A timer function: counts open items per user and stores one digest per day.
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();
const $ = db.command.aggregate;

exports.main = async () => {
  const { list } = await db.collection('todos').aggregate()
    .match({ done: false })
    .group({ _id: '$_openid', open: $.sum(1) })
    .sort({ _id: 1 })
    .end();
  const day = new Date().toISOString().slice(0, 10);
  await db.collection('digests').add({ data: { day, open: list } });
  return { day, users: list.length };
};
