// Calls another function and reports what came back, including failures as the SDK shapes them.
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });

exports.main = async (event) => {
  const me = cloud.getWXContext();
  try {
    const res = await cloud.callFunction({ name: event.target, data: event.data || {} });
    return { me, result: res.result, errMsg: res.errMsg, after: cloud.getWXContext() };
  } catch (err) {
    return { me, error: { errCode: err.errCode, errMsg: err.errMsg, code: err.code } };
  }
};
