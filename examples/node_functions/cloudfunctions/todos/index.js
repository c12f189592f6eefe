// A to-do list keyed by the caller's OPENID, routed on event.action as most real functions are.
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();
const _ = db.command;

const actions = {
  async add({ title }, openid) {
    if (!title) throw new Error('title is required');
    const { _id } = await db.collection('todos').add({
      data: { _openid: openid, title, done: false, createdAt: db.serverDate() },
    });
    return { _id };
  },

  async list(_event, openid) {
    const { data } = await db.collection('todos').where({ _openid: openid }).orderBy('createdAt', 'asc').get();
    return data.map(({ _id, title, done }) => ({ _id, title, done }));
  },

  async finish({ id }, openid) {
    const { stats } = await db.collection('todos').where({ _id: id, _openid: openid }).update({
      data: { done: true, finishedAt: new Date() },
    });
    return { finished: stats.updated };
  },
};

exports.main = async (event) => {
  const { OPENID } = cloud.getWXContext();
  const action = actions[event.action];
  if (!action) throw new Error(`unknown action: ${event.action}`);
  console.log(`todos.${event.action} by ${OPENID}`);
  return action(event, OPENID);
};
