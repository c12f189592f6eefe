"""The mini-program side: permission presets, security rules and the client database face.

Modules: ``rules_parser`` / ``rules_ast`` / ``rules_compile`` (the rule language, checked at set
time), ``rules_eval`` + ``subset`` (evaluation, and the static "query is a subset of the rule"
check), ``presets``, ``ruleset`` (a collection's setting), ``authorize`` (the check between face
and backend), ``permissions`` (``cloud.permissions``), ``client`` + ``database`` (the client
face), ``storage`` (its wx.cloud storage calls) + ``storage_rules``, ``decisions`` (log and
errors), ``report`` (rule coverage), ``helpers`` (``assert_denied`` / ``assert_allowed``).
"""

from .client import Client
from .decisions import Decision, PermissionDenied
from .helpers import assert_allowed, assert_denied
from .options import RuleOptions
from .permissions import Permissions, PermissionsNotSet
from .presets import ADMINONLY, ADMINWRITE, PRIVATE, READONLY
from .rules_parser import RulesError, RuleSyntaxError

__all__ = [
    "ADMINONLY",
    "ADMINWRITE",
    "PRIVATE",
    "READONLY",
    "Client",
    "Decision",
    "PermissionDenied",
    "Permissions",
    "PermissionsNotSet",
    "RuleOptions",
    "RuleSyntaxError",
    "RulesError",
    "assert_allowed",
    "assert_denied",
]
