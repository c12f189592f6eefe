// A shop paying through cloudPay from a real wx-server-sdk function: order, query, refund.
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });

const SUB_MCH_ID = '1900000109';

exports.main = async (event) => {
  try {
    if (event.action === 'order') {
      const order = await cloud.cloudPay.unifiedOrder({
        body: '一杯咖啡',
        outTradeNo: event.no,
        spbillCreateIp: '127.0.0.1',
        subMchId: SUB_MCH_ID,
        totalFee: event.fee,
        envId: event.env,
        functionName: 'payCallback',
        ...(event.without ? { [event.without]: undefined } : {}),
      });
      await cloud.database().collection('orders').add({ data: { _id: event.no, paid: false } });
      return order;
    }
    if (event.action === 'query') {
      return await cloud.cloudPay.queryOrder({ subMchId: SUB_MCH_ID, outTradeNo: event.no });
    }
    if (event.action === 'refund') {
      return await cloud.cloudPay.refund({
        subMchId: SUB_MCH_ID,
        outTradeNo: event.no,
        outRefundNo: `${event.no}-R`,
        totalFee: event.fee,
        refundFee: event.refund,
      });
    }
    return await cloud.cloudPay[event.action]({ outTradeNo: event.no });
  } catch (e) {
    return { thrown: true, errCode: e.errCode, errMsg: e.errMsg };
  }
};
