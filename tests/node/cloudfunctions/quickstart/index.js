// The shape of the official quickstartFunctions template: one function routing on event.type.
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();
const _ = db.command;

const getOpenId = async () => {
  const wxContext = cloud.getWXContext();
  return {
    openid: wxContext.OPENID,
    appid: wxContext.APPID,
    unionid: wxContext.UNIONID,
    env: wxContext.ENV,
    source: wxContext.SOURCE,
  };
};

const createCollection = async () => {
  try {
    await db.createCollection('sales');
    await db.collection('sales').add({ data: { region: '华东', city: '上海', sales: 11 } });
    await db.collection('sales').add({ data: { region: '华东', city: '南京', sales: 11 } });
    await db.collection('sales').add({ data: { region: '华南', city: '广州', sales: 22 } });
    await db.collection('sales').add({ data: { region: '华南', city: '深圳', sales: 22 } });
    return { success: true };
  } catch (e) {
    // the collection exists already: the template treats that as success
    return { success: true, data: 'create collection success' };
  }
};

const selectRecord = async () => db.collection('sales').get();

const updateRecord = async (event) => {
  for (const item of event.data) {
    await db.collection('sales').where({ _id: item._id }).update({ data: { sales: _.inc(item.add) } });
  }
  return { success: true, data: event.data };
};

const sumRecord = async () => {
  const $ = db.command.aggregate;
  return db.collection('sales').aggregate()
    .group({ _id: '$region', total: $.sum('$sales') })
    .sort({ _id: 1 })
    .end();
};

exports.main = async (event, context) => {
  switch (event.type) {
    case 'getOpenId':
      return getOpenId();
    case 'createCollection':
      return createCollection();
    case 'selectRecord':
      return selectRecord();
    case 'updateRecord':
      return updateRecord(event);
    case 'sumRecord':
      return sumRecord();
    case 'context':
      return { event, context, now: new Date().toISOString(), dateNow: Date.now() };
    default:
      throw new Error(`unknown type ${event.type}`);
  }
};
