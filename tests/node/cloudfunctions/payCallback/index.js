// cloudPay's payment notification: the platform calls this when the user has paid.
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });

exports.main = async (event) => {
  const { SOURCE, OPENID } = cloud.getWXContext();
  await cloud.database().collection('orders').doc(event.outTradeNo).update({
    data: { paid: event.resultCode === 'SUCCESS', transaction: event.transactionId, SOURCE, OPENID },
  });
  return { errcode: 0 };
};
