// Find-or-create login: the add is started but not awaited, as many real logins do.
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();

exports.main = async (event) => {
  const { OPENID } = cloud.getWXContext();
  const found = await db.collection('users').where({ openid: OPENID }).limit(1).get();
  if (found.data.length > 0) {
    return { created: false, user: found.data[0] };
  }
  db.collection('users').add({
    data: { openid: OPENID, nickname: event.nickname, createdAt: db.serverDate(), seenAt: new Date() },
  });
  return { created: true };
};
