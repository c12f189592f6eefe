// Every way a function can go wrong, selected by event.how.
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();
const gathered = {};

exports.main = async (event) => {
  console.log('starting', event.how);
  switch (event.how) {
    case 'throw':
      console.error('about to fail');
      throw new Error('kaput');
    case 'reject-later':
      Promise.reject(new Error('nobody awaited me'));
      await new Promise((resolve) => setTimeout(resolve, 50));
      return 'unreachable';
    case 'uncaught':
      setTimeout(() => { throw new TypeError('thrown from a timer'); }, 1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      return 'unreachable';
    case 'sleep':
      await db.collection('marks').add({ data: { at: 'before-sleep' } });
      await new Promise((resolve) => setTimeout(resolve, 5000));
      await db.collection('marks').add({ data: { at: 'after-sleep' } });
      return 'woke';
    case 'spin':
      for (;;) { /* never yields */ }
    case 'exit':
      process.exit(3);
      return 'unreachable';
    case 'bigint':
      return { n: 10n };
    case 'nothing':
      return undefined;
    case 'missing-collection':
      return db.collection('nope').get();
    case 'gather': {
      // returns only once event.n invocations of this key are in flight at the same time
      gathered[event.key] = (gathered[event.key] || 0) + 1;
      while (gathered[event.key] < event.n) await new Promise((resolve) => setTimeout(resolve, 2));
      return { openid: cloud.getWXContext().OPENID, token: process.env.WX_API_TOKEN };
    }
    case 'pid':
      return process.pid;
    default:
      return { how: event.how };
  }
};
