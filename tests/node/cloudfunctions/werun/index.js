// WeRun steps through a CloudID: the mini program passes the CloudID, the function opens it.
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });

exports.main = async (event) => {
  try {
    const opened = await cloud.getOpenData({ list: event.list });
    const steps = opened.list.map((item) => item.data.stepInfoList.reduce((n, d) => n + d.step, 0));
    return { steps, opened };
  } catch (e) {
    return { thrown: true, errCode: e.errCode, errMsg: e.errMsg };
  }
};
