"""Faults on demand: `x-simulate-fault: NAME[:ARG][,NAME[:ARG]...]` or `MODEL@fault=...`.

The model-name form lets any front end trigger a fault through an ordinary model
spec (`anthropic/claude-opus-4-7@fault=overloaded`). Several faults combine with
commas (`gpt-5.5@fault=unverified_org,silent_think:90`): the first HTTP fault and
the first stream fault apply, every request rule and modifier applies. The same
list can be made sticky for a model with the profile option `faults = "..."`.

HTTP faults answer with the provider's own error status, body and headers:

    auth                 401 (Gemini: 400 API_KEY_INVALID)
    not_found            unknown model (OpenAI Responses: 400 model_not_found; Chat: 404)
    bad_request          400 for a bad parameter
    rate_limit[:S]       429 asking to retry after S seconds (default 1)
    rate_limit_long[:S]  the same with a delay past every SDK's cap (default 3600, up to 86400)
    daily_quota          429 for a per-day quota (Gemini: QuotaFailure ...PerDay... + RetryInfo;
                         OpenAI: requests per day; Anthropic: its rate_limit_error)
    server               500
    unavailable          503
    overloaded           Anthropic 529, others 503
    billing              out of credit: Anthropic 402 billing_error, OpenAI Responses 429
                         insufficient_quota, Chat Completions 402 (OpenRouter shape),
                         Gemini 400 FAILED_PRECONDITION (billing not enabled)
    payment_required     HTTP 402: OpenAI protocols in OpenRouter's shape, Anthropic billing_error
                         (Gemini, which never sends 402, answers as for billing)
    permission           403: Anthropic permission_error, OpenAI missing scopes, Gemini
                         PERMISSION_DENIED
    region               unsupported location: OpenAI 403 unsupported_country_region_territory,
                         Anthropic 403 forbidden "Request not allowed", Gemini 400
                         FAILED_PRECONDITION "User location is not supported"
    service_disabled     Gemini 403 PERMISSION_DENIED with an ErrorInfo SERVICE_DISABLED detail
                         (other providers: as for permission)

Request rules reject a request only when it carries the parameter, so a client
that retries without it succeeds (the fallback a real account needs):

    unverified_org       OpenAI Responses: `reasoning.summary` gets 400 unsupported_value
                         "Your organization must be verified to generate reasoning summaries..."
    reject_param:NAME    any body parameter NAME (dotted path, e.g. `reasoning.effort`; Gemini
                         also looks under generationConfig) gets a 400 naming it, in the
                         provider's shape (OpenAI `param`, Gemini BadRequest fieldViolations)

Stream faults change a 200 response:

    midstream_error[:N]  the provider's in-stream error event after N tokens (default 5)
    drop[:N]             connection closed after N tokens, no terminating chunk (default 5)
    stall[:S]            nothing sent for S seconds half-way through the stream (default 2)
    silent_think[:S]     S more seconds of reasoning with no byte at all (no keep-alive) after
                         the opening events and before the first token (default 90)
    malformed[:N]        an event with invalid JSON after N tokens (default 3)
    cut_utf8[:N]         the body ends inside a multi-byte UTF-8 character after N tokens

Modifiers:

    should_retry:true|false  an `x-should-retry` header on the HTTP error (as the SDKs read it)
    no_usage             Chat Completions sends no usage at all (ignores include_usage)
    cache_write[:N]      N input tokens reported as written to the cache (default 2048):
                         Anthropic cache_creation (5-minute), Responses cache_write_tokens
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

__all__ = [
    "FAULTS",
    "HTTP_FAULTS",
    "MODIFIERS",
    "REQUEST_RULES",
    "STREAM_FAULTS",
    "Fault",
    "FaultError",
    "FaultSet",
    "parse_fault",
    "parse_faults",
    "split_model",
]

HTTP_FAULTS = (
    "auth",
    "not_found",
    "bad_request",
    "rate_limit",
    "rate_limit_long",
    "daily_quota",
    "server",
    "unavailable",
    "overloaded",
    "billing",
    "payment_required",
    "permission",
    "region",
    "service_disabled",
)
REQUEST_RULES = ("unverified_org", "reject_param")
STREAM_FAULTS = ("midstream_error", "drop", "stall", "silent_think", "malformed", "cut_utf8")
MODIFIERS = ("should_retry", "no_usage", "cache_write")
FAULTS = HTTP_FAULTS + REQUEST_RULES + STREAM_FAULTS + MODIFIERS

_DEFAULT_ARG = {
    "rate_limit": 1.0,
    "rate_limit_long": 3600.0,
    "midstream_error": 5.0,
    "drop": 5.0,
    "stall": 2.0,
    "silent_think": 90.0,
    "malformed": 3.0,
    "cache_write": 2048.0,
}
_MAX_ARG = {"rate_limit_long": 86_400.0, "cache_write": 10_000_000.0}
_DEFAULT_MAX = 3600.0
_TEXT_ARG = {"reject_param", "should_retry"}
_PARAM = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_SUFFIX = "@fault="


class FaultError(ValueError):
    """A fault spec names no known fault or has a bad argument."""


@dataclass(frozen=True, slots=True)
class Fault:
    """One requested fault: its name, numeric argument (seconds or tokens) and text argument."""

    name: str
    arg: float
    text: str = ""

    @property
    def is_http(self) -> bool:
        """Whether the fault replaces the whole response with an HTTP error."""
        return self.name in HTTP_FAULTS

    @property
    def is_stream(self) -> bool:
        """Whether the fault changes a 200 response."""
        return self.name in STREAM_FAULTS

    @property
    def count(self) -> int:
        """The argument as a token count."""
        return int(self.arg)


@dataclass(frozen=True, slots=True)
class FaultSet:
    """Every fault of one request, sorted by what each does."""

    http: Fault | None = None
    stream: Fault | None = None
    rules: tuple[Fault, ...] = ()
    modifiers: tuple[Fault, ...] = ()

    def modifier(self, name: str) -> Fault | None:
        """The modifier called `name`, if requested."""
        return next((f for f in self.modifiers if f.name == name), None)

    def merged(self, other: FaultSet) -> FaultSet:
        """This set with `other`'s faults added (this set's HTTP and stream faults win)."""
        return FaultSet(
            self.http or other.http,
            self.stream or other.stream,
            self.rules + other.rules,
            self.modifiers + other.modifiers,
        )


def parse_fault(spec: str) -> Fault:
    """The fault of `NAME[:ARG]`.

    Raises:
        FaultError: unknown name, or an argument that is not valid for it.
    """
    name, _, raw = spec.strip().partition(":")
    name = name.strip().lower().replace("-", "_")
    raw = raw.strip()
    if name not in FAULTS:
        raise FaultError(f"unknown simulated fault {name!r} (known: {', '.join(FAULTS)})")
    if name in _TEXT_ARG:
        return Fault(name, 0.0, _text_arg(name, raw))
    if not raw:
        return Fault(name, _DEFAULT_ARG.get(name, 0.0))
    try:
        arg = float(raw)
    except ValueError:
        raise FaultError(f"simulated fault {name}: argument {raw!r} is not a number") from None
    high = _MAX_ARG.get(name, _DEFAULT_MAX)
    if math.isnan(arg) or not (0 <= arg <= high):
        raise FaultError(f"simulated fault {name}: argument {raw!r} is outside 0..{high:g}")
    return Fault(name, arg)


def _text_arg(name: str, raw: str) -> str:
    if name == "should_retry":
        value = raw.lower()
        if value in ("true", "1", "yes"):
            return "true"
        if value in ("false", "0", "no"):
            return "false"
        raise FaultError(f"simulated fault should_retry: argument {raw!r} is not true or false")
    if not _PARAM.match(raw):
        raise FaultError(
            f"simulated fault reject_param: argument {raw!r} is not a parameter name "
            "(e.g. reject_param:temperature or reject_param:reasoning.summary)"
        )
    return raw


def parse_faults(spec: str) -> FaultSet:
    """Every fault of a comma-separated list `NAME[:ARG],NAME[:ARG]...`.

    Raises:
        FaultError: one of them is unknown or has a bad argument.
    """
    http: Fault | None = None
    stream: Fault | None = None
    rules: list[Fault] = []
    modifiers: list[Fault] = []
    for item in spec.split(","):
        if not item.strip():
            continue
        fault = parse_fault(item)
        if fault.is_http:
            http = http or fault
        elif fault.is_stream:
            stream = stream or fault
        elif fault.name in REQUEST_RULES:
            rules.append(fault)
        else:
            modifiers.append(fault)
    return FaultSet(http, stream, tuple(rules), tuple(modifiers))


def split_model(model: str) -> tuple[str, str | None]:
    """(model id, fault spec or None) of a model id with an optional `@fault=` suffix."""
    base, sep, spec = model.partition(_SUFFIX)
    return (base, spec) if sep else (model, None)
