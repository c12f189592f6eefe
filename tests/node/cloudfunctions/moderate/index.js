// Storage and openapi from a real wx-server-sdk function: a comment is checked, stored as a
// file, read back through a temp URL, announced with a subscribe message; then the file goes.
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });

exports.main = async (event) => {
  const { OPENID } = cloud.getWXContext();
  if (event.action === 'code') {
    const code = await cloud.openapi.wxacode.getUnlimited({ scene: 'a=1', page: 'pages/index/index' });
    const up = await cloud.uploadFile({ cloudPath: 'codes/a.png', fileContent: code.buffer });
    return { fileID: up.fileID, contentType: code.contentType };
  }
  try {
    await cloud.openapi.security.msgSecCheck({ content: event.text });
  } catch (e) {
    return { blocked: true, errCode: e.errCode, errMsg: e.errMsg };
  }
  const path = `comments/${OPENID}.txt`;
  const up = await cloud.uploadFile({ cloudPath: path, fileContent: Buffer.from(event.text) });
  const links = await cloud.getTempFileURL({ fileList: [up.fileID] });
  const down = await cloud.downloadFile({ fileID: up.fileID });
  await cloud.openapi.subscribeMessage.send({
    touser: OPENID,
    templateId: 'TPL1',
    page: 'index',
    data: { thing1: { value: event.text.slice(0, 20) } },
  });
  const gone = await cloud.deleteFile({ fileList: [up.fileID] });
  return {
    fileID: up.fileID,
    tempStatus: links.fileList[0].status,
    text: down.fileContent.toString(),
    deleted: gone.fileList[0].status,
  };
};
