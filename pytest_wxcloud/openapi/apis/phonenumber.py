"""``phonenumber.getPhoneNumber``: a phone-number button's ``code`` exchanged for the number.

The mini program gets a one-time code when the user taps the button; tests make one with
:meth:`PhoneNumbers.code_for` for a user and number of their choice. An unknown or used code is
40029 "invalid code", as in production.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from ...identity import Identity
from ..outcome import OpenApiError, Reply, ok
from .context import ApiCall, ApiHandler


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    openid: str | None
    pure: str
    country_code: str


class PhoneNumbers:
    def __init__(self, seed: int) -> None:
        self._random = random.Random(f"{seed}/phone-codes")
        self._codes: dict[str, PhoneNumber] = {}
        self._lock = threading.Lock()

    def code_for(self, user: Identity | None, phone: str, country_code: str = "86") -> str:
        """The code ``user``'s tap on the phone-number button yields for ``phone``."""
        if not phone.isdigit():
            raise ValueError(f"phone must be digits without the country code, got {phone!r}")
        with self._lock:
            code = f"{self._random.getrandbits(128):032x}"
            self._codes[code] = PhoneNumber(
                None if user is None else user.openid, phone, country_code
            )
        return code

    def redeem(self, code: str) -> PhoneNumber | None:
        with self._lock:
            return self._codes.pop(code, None)


def get_phone_number(call: ApiCall) -> Reply:
    code = call.string("code", 47001, "data format error, code must be a string")
    assert code is not None
    number = call.service.phone_numbers.redeem(code)
    if number is None:
        raise OpenApiError(40029, "invalid code")
    shown = number.pure if number.country_code == "86" else f"+{number.country_code} {number.pure}"
    return ok(
        phone_info={
            "phoneNumber": shown,
            "purePhoneNumber": number.pure,
            "countryCode": number.country_code,
            "watermark": {
                "timestamp": int(call.cloud.clock.now().timestamp()),
                "appid": call.cloud.appid,
            },
        }
    )


APIS: dict[str, ApiHandler] = {"phonenumber.getPhoneNumber": get_phone_number}

__all__ = ["APIS", "PhoneNumber", "PhoneNumbers"]
