"""The providers' error messages: for each kind of failure, the status, type and text
(and OpenAI's `code`) each API answers with, as recorded in the shared wire samples.
`errors.error_reply` builds the response around them; a message may use `{model}`,
`{param}`, `{key}` (masked), `{request_id}` or `{detail}`.
"""

from __future__ import annotations

__all__ = ["ANTHROPIC_ERRORS", "GEMINI_ERRORS", "OPENAI_ERRORS"]

# (kind) -> (status, type, message, code) for OpenAI; message may use {model}, {param}.
OPENAI_ERRORS: dict[str, tuple[int, str, str, str | None]] = {
    "auth_missing": (
        401,
        "invalid_request_error",
        "You didn't provide an API key. You need to provide your API key in an Authorization "
        "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password "
        "field (with blank username) if you're accessing the API from your browser and are "
        "prompted for a username and password. You can obtain an API key from "
        "https://platform.openai.com/account/api-keys.",
        None,
    ),
    "auth": (
        401,
        "invalid_request_error",
        "Incorrect API key provided: {key}. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
        "invalid_api_key",
    ),
    "server": (
        500,
        "server_error",
        "The server had an error processing your request. Sorry about that! You can retry your "
        "request, or contact us through our help center at help.openai.com if you keep seeing "
        "this error. (Please include the request ID {request_id} in your email.)",
        None,
    ),
    "unavailable": (503, "server_error", "The server is overloaded or not ready yet.", None),
    "overloaded": (
        503,
        "server_error",
        "Our servers are currently overloaded. Please try again later.",
        "server_is_overloaded",
    ),
    "malformed_json": (
        400,
        "invalid_request_error",
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
        "using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was "
        "sent was not valid JSON. If you have trouble figuring out how to fix this, please "
        "contact us through our help center at help.openai.com.)",
        None,
    ),
}

ANTHROPIC_ERRORS: dict[str, tuple[int, str, str]] = {
    "auth_missing": (401, "authentication_error", "x-api-key header is required"),
    "auth": (401, "authentication_error", "invalid x-api-key"),
    "not_found": (404, "not_found_error", "model: {model}"),
    "rate_limit": (
        429,
        "rate_limit_error",
        "This request would exceed your organization's rate limit of 30,000 input tokens per "
        "minute (org: simulated, model: {model}). For details, refer to: "
        "https://docs.claude.com/en/api/rate-limits. You can see the response headers for "
        "current usage. Please reduce the prompt length or the maximum tokens requested, or "
        "try again later.",
    ),
    "server": (500, "api_error", "Internal server error"),
    "unavailable": (503, "api_error", "Service unavailable"),
    "overloaded": (529, "overloaded_error", "Overloaded"),
    "malformed_json": (
        400,
        "invalid_request_error",
        "There was an error parsing the body: {detail}",
    ),
    "version_missing": (400, "invalid_request_error", "anthropic-version: header is required"),
}

GEMINI_ERRORS: dict[str, tuple[int, str, str]] = {
    "auth_missing": (
        403,
        "PERMISSION_DENIED",
        "Method doesn't allow unregistered callers (callers without established identity). "
        "Please use API Key or other form of API consumer identity to call this API.",
    ),
    "auth": (400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key."),
    "not_found": (
        404,
        "NOT_FOUND",
        "models/{model} is not found for API version v1beta, or is not supported for "
        "generateContent. Call ModelService.ListModels to see the list of available models "
        "and their supported methods.",
    ),
    "rate_limit": (
        429,
        "RESOURCE_EXHAUSTED",
        "You exceeded your current quota, please check your plan and billing details. For more "
        "information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.",
    ),
    "server": (
        500,
        "INTERNAL",
        "An internal error has occurred. Please retry or report in "
        "https://developers.generativeai.google/guide/troubleshooting",
    ),
    "unavailable": (503, "UNAVAILABLE", "The service is currently unavailable."),
    "overloaded": (503, "UNAVAILABLE", "The model is overloaded. Please try again later."),
    "malformed_json": (400, "INVALID_ARGUMENT", "Invalid JSON payload received. {detail}"),
}
