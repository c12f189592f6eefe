"""The protobuf messages of ``wx.openApi`` and ``wx.wxPayApi`` (node-runtime.md §2.3–2.4), by hand.

``CommApiData`` comes in (``requestData``) and ``CommOpenApiResp`` goes out;
``cloud.getOpenData`` nests its own request and reply in them (``svrkitData.reqData`` /
``respData``), and cloudPay sends ``ApiOptions`` beside its JSON (left unread: one cloud serves
one app). All are small and fixed, so a few varint helpers replace a dependency on a protobuf
runtime and a generated module (the field numbers were rebuilt from wx-server-sdk's protobufjs
encoders):

    message KeyValuePair    { string key = 1; bytes value = 2; string contenttype = 3; string filename = 4; }
    message OpenApiData     { repeated KeyValuePair pairs = 1; }
    message SvrkitApiData   { string apiName = 1; bytes reqData = 2; }
    message CommApiData     { ApiType apiType = 1; OpenApiData openapiData = 2; …;
                              SvrkitApiData svrkitData = 4; …; string appid = 6; }
    message CommOpenApiResp { bytes respData = 1; string contentType = 2; int32 errorCode = 3;
                              uint32 httpCode = 4; repeated HttpHeader headers = 5; int32 svrkitErrorCode = 6; }
    message ApiGetOpenDataByCloudIdReq  { repeated string cloudidList = 2; string appid = 3; }
    message ApiGetOpenDataByCloudIdResp { repeated OpDataItem dataList = 1; }
    message OpDataItem      { string cloudId = 1; string json = 2; }
    message ApiOptions      { string appid = 1; }
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

OPEN_API = 0
SVRKIT_API = 2
_VARINT, _I64, _LEN, _I32 = 0, 1, 2, 5


class ProtobufError(ValueError):
    """Bytes that are not the message they claim to be."""


def varint(number: int) -> bytes:
    """int32/int64 negatives are written as 10-byte two's complement, as protobufjs does."""
    if number < 0:
        number &= (1 << 64) - 1
    out = bytearray()
    while True:
        low = number & 0x7F
        number >>= 7
        out.append(low | 0x80 if number else low)
        if not number:
            return bytes(out)


def _key(field_number: int, wire_type: int) -> bytes:
    return varint(field_number << 3 | wire_type)


def _bytes_field(field_number: int, value: bytes) -> bytes:
    return _key(field_number, _LEN) + varint(len(value)) + value


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise ProtobufError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ProtobufError("varint longer than 10 bytes")


def fields(data: bytes) -> Iterator[tuple[int, int | bytes]]:
    """(field number, value) pairs: an int for varints, bytes for length-delimited fields."""
    pos = 0
    while pos < len(data):
        key, pos = _read_varint(data, pos)
        number, wire_type = key >> 3, key & 7
        if wire_type == _VARINT:
            value, pos = _read_varint(data, pos)
            yield number, value
        elif wire_type == _LEN:
            length, pos = _read_varint(data, pos)
            if pos + length > len(data):
                raise ProtobufError(f"field {number} runs past the end of the message")
            yield number, data[pos : pos + length]
            pos += length
        elif wire_type in (_I64, _I32):
            pos += 8 if wire_type == _I64 else 4
            if pos > len(data):
                raise ProtobufError(f"field {number} runs past the end of the message")
        else:
            raise ProtobufError(f"field {number} has unsupported wire type {wire_type}")


def _signed32(value: int) -> int:
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >= 1 << 63 else value


@dataclass(frozen=True, slots=True)
class Pair:
    """One parameter: JSON text in ``value``, or media bytes with ``contenttype``/``filename``."""

    key: str
    value: bytes
    content_type: str = ""
    filename: str = ""


@dataclass(frozen=True, slots=True)
class CommApiData:
    """``pairs`` for an OPEN_API call; ``svrkit_api`` and ``svrkit_data`` for a SVRKIT_API one."""

    api_type: int = OPEN_API
    pairs: tuple[Pair, ...] = ()
    appid: str = ""
    svrkit_api: str = ""
    svrkit_data: bytes = b""

    def encode(self) -> bytes:
        out = _key(1, _VARINT) + varint(self.api_type)
        if self.api_type == SVRKIT_API:
            svrkit = _bytes_field(1, self.svrkit_api.encode()) + _bytes_field(2, self.svrkit_data)
            out += _bytes_field(4, svrkit)
        else:
            opendata = b"".join(_bytes_field(1, _encode_pair(pair)) for pair in self.pairs)
            out += _bytes_field(2, opendata)
        if self.appid:
            out += _bytes_field(6, self.appid.encode())
        return out


def _encode_pair(pair: Pair) -> bytes:
    out = _bytes_field(1, pair.key.encode()) + _bytes_field(2, pair.value)
    if pair.content_type:
        out += _bytes_field(3, pair.content_type.encode())
    if pair.filename:
        out += _bytes_field(4, pair.filename.encode())
    return out


def _text(value: int | bytes, what: str) -> str:
    if not isinstance(value, bytes):
        raise ProtobufError(f"{what} must be a string field")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtobufError(f"{what} is not UTF-8") from None


def decode_comm_api_data(data: bytes) -> CommApiData:
    api_type = OPEN_API
    pairs: list[Pair] = []
    appid = svrkit_api = ""
    svrkit_data = b""
    for number, value in fields(data):
        if number == 1 and isinstance(value, int):
            api_type = value
        elif number == 2 and isinstance(value, bytes):
            for inner, pair in fields(value):
                if inner == 1 and isinstance(pair, bytes):
                    pairs.append(_decode_pair(pair))
        elif number == 4 and isinstance(value, bytes):
            for inner, part in fields(value):
                if inner == 1:
                    svrkit_api = _text(part, "SvrkitApiData.apiName")
                elif inner == 2 and isinstance(part, bytes):
                    svrkit_data = part
        elif number == 6:
            appid = _text(value, "appid")
    return CommApiData(api_type, tuple(pairs), appid, svrkit_api, svrkit_data)


def _decode_pair(data: bytes) -> Pair:
    parts: dict[int, int | bytes] = dict(fields(data))
    value = parts.get(2, b"")
    return Pair(
        _text(parts.get(1, b""), "KeyValuePair.key"),
        value if isinstance(value, bytes) else b"",
        _text(parts.get(3, b""), "KeyValuePair.contenttype"),
        _text(parts.get(4, b""), "KeyValuePair.filename"),
    )


@dataclass(frozen=True, slots=True)
class CommOpenApiResp:
    resp_data: bytes = b""
    content_type: str = ""
    error_code: int = 0
    http_code: int = 0
    headers: tuple[tuple[str, str], ...] = field(default=())
    svrkit_error_code: int = 0

    def encode(self) -> bytes:
        out = b""
        if self.resp_data:
            out += _bytes_field(1, self.resp_data)
        if self.content_type:
            out += _bytes_field(2, self.content_type.encode())
        if self.error_code:
            out += _key(3, _VARINT) + varint(self.error_code)
        if self.http_code:
            out += _key(4, _VARINT) + varint(self.http_code)
        for name, text in self.headers:
            out += _bytes_field(5, _bytes_field(1, name.encode()) + _bytes_field(2, text.encode()))
        if self.svrkit_error_code:
            out += _key(6, _VARINT) + varint(self.svrkit_error_code)
        return out


def decode_comm_open_api_resp(data: bytes) -> CommOpenApiResp:
    resp_data, content_type, error_code, http_code = b"", "", 0, 0
    for number, value in fields(data):
        if number == 1 and isinstance(value, bytes):
            resp_data = value
        elif number == 2:
            content_type = _text(value, "contentType")
        elif number == 3 and isinstance(value, int):
            error_code = _signed32(value)
        elif number == 4 and isinstance(value, int):
            http_code = value
    return CommOpenApiResp(resp_data, content_type, error_code, http_code)


def encode_open_data_request(cloud_ids: list[str], appid: str = "") -> bytes:
    """``ApiGetOpenDataByCloudIdReq`` (the list is field 2: there is no field 1)."""
    out = b"".join(_bytes_field(2, cloud_id.encode()) for cloud_id in cloud_ids)
    return out + (_bytes_field(3, appid.encode()) if appid else b"")


def decode_open_data_request(data: bytes) -> list[str]:
    return [_text(value, "cloudidList") for number, value in fields(data) if number == 2]


def encode_open_data_reply(items: list[tuple[str, str]]) -> bytes:
    """``ApiGetOpenDataByCloudIdResp``: (cloudId, json text) per CloudID, in request order."""
    return b"".join(
        _bytes_field(1, _bytes_field(1, cloud_id.encode()) + _bytes_field(2, text.encode()))
        for cloud_id, text in items
    )


def decode_open_data_reply(data: bytes) -> list[tuple[str, str]]:
    items = []
    for number, value in fields(data):
        if number == 1 and isinstance(value, bytes):
            parts = dict(fields(value))
            items.append((_text(parts.get(1, b""), "cloudId"), _text(parts.get(2, b""), "json")))
    return items


__all__ = [
    "OPEN_API",
    "SVRKIT_API",
    "CommApiData",
    "CommOpenApiResp",
    "Pair",
    "ProtobufError",
    "decode_comm_api_data",
    "decode_comm_open_api_resp",
    "decode_open_data_reply",
    "decode_open_data_request",
    "encode_open_data_reply",
    "encode_open_data_request",
    "varint",
]
