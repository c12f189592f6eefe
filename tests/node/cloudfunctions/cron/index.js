// A timer-triggered function: counts its runs and reports the context a timer gives it.
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();

exports.main = async (event) => {
  await db.collection('runs').add({ data: { trigger: event.TriggerName, at: db.serverDate() } });
  return { event, context: cloud.getWXContext() };
};
