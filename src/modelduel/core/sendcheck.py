"""What stops a run's request from being sent as the duel asks, checked before sending.

A thinking budget that cannot fit the output limit (`unsendable`, before a run's first
request), and images the model's capability data or the provider's size limits refuse
(`image_problem`, before the request that carries them). Each is one `config` failure
naming the model and the fix; the other models of the duel go on. It sends nothing and
holds no state: `DuelRunner` and `core.toolloop.ToolLoop` ask it.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from modelduel.attachment_limits import check_for_provider
from modelduel.attachments import Attachment, AttachmentError
from modelduel.capabilities import ANTHROPIC_MIN_THINKING_BUDGET, Family
from modelduel.conversation import Image
from modelduel.core.plan import RunPlan
from modelduel.events import ErrorInfo
from modelduel.image_header import sniff_image
from modelduel.providers.base import ModelRequest

__all__ = ["image_problem", "unsendable"]


def unsendable(plan: RunPlan) -> ErrorInfo | None:
    """Why no request of this run can be sent as the duel asks, checked before the first
    (today: a thinking budget that cannot fit the output limit); None when it can."""
    return _budget_problem(plan.request, plan.request.capabilities(plan.target.kind))


def _budget_problem(request: ModelRequest, caps: Family) -> ErrorInfo | None:
    """A budget-style thinking request that no API would accept: `budget_tokens` must be at
    least 1,024 and below `max_tokens`. Thinking less, or writing more, than the duel asked
    would not be this duel, so the run fails here and the other models go on."""
    effort = request.reasoning_effort
    limit = request.max_output_tokens
    if caps.thinking != "anthropic-budget" or not effort or not effort.isdigit() or limit is None:
        return None
    if limit > ANTHROPIC_MIN_THINKING_BUDGET + 1:
        return None
    return ErrorInfo(
        "config",
        f"max_output_tokens {limit:,}: {request.model_id} thinks with a budget of at least "
        f"{ANTHROPIC_MIN_THINKING_BUDGET:,} tokens below its output limit; give it more "
        f"than {ANTHROPIC_MIN_THINKING_BUDGET + 1:,} (--max-output-tokens) or no effort",
    )


def image_problem(plan: RunPlan, images: Sequence[Image]) -> ErrorInfo | None:
    """Why these images (of the next request) must not be sent to this run's model; None
    when they may: the capability data says it takes none, or one is over a limit."""
    if not images:
        return None
    caps = plan.request.capabilities(plan.target.kind)
    if not caps.images:
        return ErrorInfo(
            "config",
            f"{plan.request.model_id} takes no images (its capability data says images = "
            f"false): {images[0].name or 'the image'} was not sent",
        )
    attachments = []
    for img in images:
        data = base64.b64decode(img.data_base64)
        sniffed = sniff_image(data)
        width, height = (sniffed[1], sniffed[2]) if sniffed else (None, None)
        attachments.append(
            Attachment(img.name or "image", "image", img.media_type, data, None, width, height)
        )
    try:
        check_for_provider(attachments, plan.target.kind.replace("-", "_"))
    except AttachmentError as exc:
        return ErrorInfo("config", str(exc))
    return None
