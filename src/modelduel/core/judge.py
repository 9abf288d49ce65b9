"""The blind judge: a second opinion on a finished answer, suggested, never imposed.

`[judge]` in the config names a model; each finished answer goes to it without the
answering model's name (blind labels: the answer is "Answer A", and the model's spec,
provider and id are replaced by `[model]` wherever the answer says them), with the task,
its success criteria and its output format. The judge answers one JSON object, checked
against `VERDICT_SCHEMA` with `jsonschema`: per rubric part scores and a one-line reason.
An answer that does not parse or validate is shown as such (`judge answer not valid: ...`)
and never guessed into scores; a judge that fails (error, timeout) is shown as
`judge failed: ...` and leaves the person's scoring untouched.

The judge never scores an answer of its own maker unless `allow_self = true`
(self-preference bias): the vendor is read from the model id (`claude-…` is Anthropic's
whether it comes from the Messages API or through `openai-chat`/OpenRouter), so a router
does not hide a judge's own family. A conversation (follow-up turns) is judged as its
turns, each user message and each answer labelled, never as one joined text.

Judge requests are ordinary runs (providers + meter), so their cost is the provider's
usage priced like any run, and is recorded apart (`judge_cost_usd`).

Pure parts (prompt, schema, parsing, verdicts) plus `JudgeRunner`, which sends judge runs
through any runner that takes `RunPlan`s and reports events and ends by run id.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from modelduel.conversation import AssistantMessage, Conversation, Text, UserMessage
from modelduel.core.answer_text import fenced_blocks
from modelduel.core.checks import PartSuggestion
from modelduel.core.scoring import RUBRIC_MAX
from modelduel.core.session import DuelState, RunSlot
from modelduel.events import Stamped
from modelduel.providers import registry

if TYPE_CHECKING:
    from modelduel.config import JudgeConfig, ResolvedModel
    from modelduel.core.plan import RunPlan
    from modelduel.tasks import Task

__all__ = [
    "ANSWER_LABEL",
    "DEFAULT_RUBRIC",
    "JUDGE_MARKER",
    "JUDGE_SYSTEM",
    "VERDICT_SCHEMA",
    "JudgeRunner",
    "JudgeSuggestion",
    "JudgeVerdict",
    "JudgedTask",
    "JudgedTurn",
    "blind_names",
    "build_judge_prompt",
    "conversation_turns",
    "is_self_judging",
    "judge_runner",
    "judged_task",
    "model_vendor",
    "parse_verdict",
    "verdict_of_run",
]

JUDGE_MARKER = "[modelduel blind judge v1]"
"""The first line of every judge prompt (the simulator recognises a judge request by it)."""

ANSWER_LABEL = "Answer A"
"""The blind label the judged answer goes by."""

JUDGE_SYSTEM = (
    "You are a strict, fair grader of one answer to a production task. You are not told "
    "who wrote it. Grade only what is written; reply with the JSON object asked for."
)

DEFAULT_RUBRIC = (
    "Score the answer on this rubric (total 0 to 5):\n"
    "- quality 0-2: 2 = complete, accurate and well reasoned; 1 = usable but with gaps or "
    "weak spots; 0 = poor or off-task.\n"
    "- correctness 0-1: 1 = no factual, logical or code error that matters; 0 = at least one.\n"
    "- format 0-1: 1 = follows the required output format exactly; 0 = it does not.\n"
    "- rework 0-1: 1 = usable as is, no rework needed; 0 = needs rework before use.\n"
    "Judge against the task's success criteria. If the answer says what is missing instead "
    "of inventing it, that is not a fault."
)
"""The rubric prompt when `[judge]` gives none: the 0-5 rubric of `core.scoring`, part by part."""

_REDACTED = "[model]"

VERDICT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        **{
            part: {"type": "integer", "minimum": 0, "maximum": top}
            for part, top in RUBRIC_MAX.items()
        },
        "reason": {"type": "string", "minLength": 1, "maxLength": 400, "pattern": r"^[^\r\n]+$"},
    },
    "required": [*RUBRIC_MAX, "reason"],
    "additionalProperties": False,
}
"""The judge's answer: an integer per rubric part within its range, and a one-line reason."""

VerdictStatus = Literal["scored", "invalid", "failed", "skipped"]


@dataclass(frozen=True, slots=True)
class JudgedTask:
    """What the judge is told about the task: the prompt, its criteria and its format.

    Attributes:
        prompt: the user prompt as the answering model got it.
        criteria: the success criteria (a task file's), may be empty for an ad-hoc prompt.
        output_format: the required output format, or None.
    """

    prompt: str
    criteria: tuple[str, ...] = ()
    output_format: str | None = None


_VENDOR_WORDS: dict[str, tuple[str, ...]] = {
    # what an answer calls its maker or itself: the model's own product and company names
    "anthropic": ("Anthropic", "Claude", "Opus", "Sonnet", "Haiku"),
    "openai": ("OpenAI", "ChatGPT", "GPT", "Codex"),
    "google": ("Google DeepMind", "DeepMind", "Google", "Gemini", "Gemma", "Bard"),
}
_VENDOR_OF = {word.lower(): vendor for vendor, words in _VENDOR_WORDS.items() for word in words}


def blind_names(model: ResolvedModel) -> list[str]:
    """The strings that would name the answering model: spec, provider, id and each of its
    `/`-separated parts, their family words, and its maker's product and company names
    (`Opus`, `Google DeepMind`), whatever provider routed it.

    Longest first, so `claude-opus-4-7` is replaced before `claude`.
    """
    model_id = model.model_id.split("@", 1)[0]
    names = {model.spec, model.spec.split("@", 1)[0], model.provider, model.model_id, model_id}
    vendors: set[str] = set()
    for part in (*model_id.split("/"), *model.spec.split("@", 1)[0].split("/")):
        names.add(part)
        for word in re.findall(r"[A-Za-z]{3,}", part):
            if (vendor := _VENDOR_OF.get(word.lower())) is not None:
                vendors.add(vendor)
        family = re.match(r"[A-Za-z]{3,}", part)
        if family is not None:
            names.add(family.group())  # "claude", "gpt", "gemini": named by its family
    for vendor in vendors:
        names.update(_VENDOR_WORDS[vendor])
    return sorted((n for n in names if n), key=len, reverse=True)


def _redact(text: str, names: Sequence[str]) -> str:
    for name in names:
        text = re.sub(re.escape(name), _REDACTED, text, flags=re.IGNORECASE)
    return text


@dataclass(frozen=True, slots=True)
class JudgedTurn:
    """One turn of a judged conversation: what the user said, and what the model answered.

    Attributes:
        user: the user's message (its text; an attached image as `[image: type]`).
        answer: the model's text in that turn (every response of its tool rounds, in order).
    """

    user: str
    answer: str


def conversation_turns(conv: Conversation) -> list[JudgedTurn]:
    """A conversation as the judge reads it: one `JudgedTurn` per user message.

    Tool results are not turns (they answer the model's calls, within its turn); the
    model's texts between calls stay in the turn they were written in.
    """
    users: list[str] = []
    answers: list[list[str]] = []
    for msg in conv.messages:
        if isinstance(msg, UserMessage):
            users.append(
                "\n".join(
                    p.text if isinstance(p, Text) else f"[image: {p.media_type}]" for p in msg.parts
                )
            )
            answers.append([])
        elif isinstance(msg, AssistantMessage) and answers and msg.text.strip():
            answers[-1].append(msg.text.strip())
    return [JudgedTurn(u, "\n\n".join(a)) for u, a in zip(users, answers, strict=True)]


def build_judge_prompt(
    task: JudgedTask,
    answer: str | Sequence[JudgedTurn],
    *,
    rubric: str | None = None,
    hide: Sequence[str] = (),
) -> str:
    """The judge's user prompt: marker, rubric, reply format, task, criteria, the blind answer.

    Args:
        task: the task as the answering model saw it.
        answer: the answer's full text; or, for a conversation of two turns or more, its
            turns (`conversation_turns`), shown in order, each user message and each
            answer labelled (`=== TURN 2: USER ===`, `=== TURN 2: ANSWER A ===`).
        rubric: the rubric prompt (None: `DEFAULT_RUBRIC`).
        hide: names of the answering model (`blind_names`), replaced by `[model]` in the
            answers. The task and the user's messages are the same for every model, so
            they are sent as written.
    """
    keys = ", ".join(f'"{p}": 0-{top}' for p, top in RUBRIC_MAX.items())
    parts = [
        JUDGE_MARKER,
        "Grade one answer to the task below. You are not told which model wrote it; "
        f"it is called {ANSWER_LABEL}, and any name of its author is shown as {_REDACTED}.",
        (rubric or DEFAULT_RUBRIC).strip(),
        "Reply with one JSON object and nothing else, with exactly these keys (integers, "
        f'and a one-line reason): {{{keys}, "reason": "..."}}',
        f"=== TASK ===\n{task.prompt.strip()}",
    ]
    if task.criteria:
        listed = "\n".join(f"{i}) {c.strip()}" for i, c in enumerate(task.criteria, 1))
        parts.append(f"=== SUCCESS CRITERIA ===\n{listed}")
    if task.output_format:
        parts.append(f"=== REQUIRED OUTPUT FORMAT ===\n{task.output_format.strip()}")
    label = ANSWER_LABEL.upper()
    if isinstance(answer, str) or len(answer) < 2:
        text = answer if isinstance(answer, str) else "".join(t.answer for t in answer)
        parts.append(f"=== {label} ===\n{_redact(text, hide).strip()}\n=== END OF {label} ===")
        return "\n\n".join(parts)
    parts.append(
        f"=== CONVERSATION: {len(answer)} TURNS ===\n"
        f"The task went on for {len(answer)} turns: each user message, then {ANSWER_LABEL}'s "
        "reply to it, in order. Grade the replies as a whole, each against the message it "
        "answers and what was said before it."
    )
    for n, turn in enumerate(answer, 1):
        user = "(the task above)" if n == 1 else turn.user.strip()
        reply = _redact(turn.answer, hide).strip() or "(no answer in this turn)"
        parts.append(f"=== TURN {n}: USER ===\n{user}")
        parts.append(f"=== TURN {n}: {label} ===\n{reply}")
    parts.append("=== END OF CONVERSATION ===")
    return "\n\n".join(parts)


_KIND_VENDOR = {"openai": "openai", "anthropic": "anthropic", "gemini": "google"}
"""The maker of a model served by a first-party protocol whose id names no maker."""


def model_vendor(model: ResolvedModel) -> str | None:
    """The model's maker (`anthropic`, `openai`, `google`), whichever protocol serves it.

    Read from the model id's words first (`anthropic/claude-sonnet-4.5` over OpenRouter,
    `gpt-oss-120b` on vLLM), then from a first-party protocol reached through its own
    built-in provider (`gemini` is Google's); None for a model of no maker known here (a
    local `qwen3`, also when a `[providers.NAME]` serves it over the Responses protocol).
    """
    model_id = model.model_id.split("@", 1)[0]
    for word in re.findall(r"[A-Za-z]{3,}", model_id):
        if (vendor := _VENDOR_OF.get(word.lower())) is not None:
            return vendor
    if model.provider not in registry.builtin_providers():
        return None  # the user's own endpoint speaks the protocol; it is not its maker
    return _KIND_VENDOR.get(model.kind)


def is_self_judging(judge: ResolvedModel, answered_by: ResolvedModel) -> bool:
    """Whether the judge would score an answer of its own maker (self-preference bias).

    By vendor, not by protocol: a Claude judge served over `openai-chat` judging a Claude
    answer from the Messages API is judging its own. Two models of no known maker count
    as the same when they come from the same provider (the rule can only be cautious).
    """
    ours, theirs = model_vendor(judge), model_vendor(answered_by)
    if ours is None or theirs is None:
        return ours is None and theirs is None and judge.provider == answered_by.provider
    return ours == theirs


def _json_text(text: str) -> str:
    """The first fenced JSON block (```json, else an untagged one), else the whole text."""
    blocks = fenced_blocks(text)
    for wanted in ("json", ""):
        for block in blocks:
            if block.lang == wanted:
                return block.text
    return text.strip()


def parse_verdict(text: str) -> tuple[dict[str, int], str] | str:
    """The judge's scores and reason from its answer, or why the answer is not valid.

    Returns:
        (scores per rubric part, reason) when the answer's JSON validates against
        `VERDICT_SCHEMA`; otherwise one line saying what is wrong (never a guess).
    """
    from jsonschema import Draft202012Validator  # noqa: PLC0415
    from jsonschema.exceptions import best_match  # noqa: PLC0415

    if not text.strip():
        return "the judge's answer is empty"
    try:
        value = json.loads(_json_text(text))
    except ValueError as exc:
        reason = f"{exc.msg} at line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else exc
        return f"not JSON ({reason})"
    errors = list(Draft202012Validator(VERDICT_SCHEMA).iter_errors(value))
    if errors:
        first = best_match(errors)
        assert first is not None
        return f"{first.json_path}: {first.message[:160]}"
    scores = {part: int(value[part]) for part in RUBRIC_MAX}
    return scores, str(value["reason"]).strip()


class JudgeSuggestion(PartSuggestion):
    """A rubric part's value as the judge suggests it (`quality: judge 1/2`)."""

    __slots__ = ()

    @property
    def label(self) -> str:
        """How it is shown beside the person's score: `quality: judge 1/2`."""
        return f"{self.part}: judge {self.value}/{RUBRIC_MAX[self.part]}"


@dataclass(frozen=True, slots=True)
class JudgeVerdict:
    """The judge's opinion of one answer, or why there is none.

    Attributes:
        status: scored (valid scores), invalid (the judge answered, not validly), failed
            (the judge run failed: error, timeout), skipped (not sent: self-judging).
        judge_model: the judge's spec.
        scores: rubric part -> score, only when scored.
        reason: the judge's one-line reason, or what went wrong.
        cost_usd: the judge run's cost (None: not sent, or price unknown).
        raw: the judge's answer as it came (kept in the transcript).
    """

    status: VerdictStatus
    judge_model: str
    scores: Mapping[str, int] = field(default_factory=dict)
    reason: str = ""
    cost_usd: float | None = None
    raw: str = ""

    @property
    def label(self) -> str:
        """One line: `judge: Q2 C1 F1 R0 · reason`, `judge answer not valid: ...`, ..."""
        if self.status == "scored":
            parts = " ".join(f"{p[0].upper()}{v}" for p, v in self.scores.items())
            return f"judge: {parts} · {self.reason}"
        if self.status == "invalid":
            return f"judge answer not valid: {self.reason}"
        if self.status == "failed":
            return f"judge failed: {self.reason}"
        return f"not judged: {self.reason}"

    def suggestions(self) -> dict[str, PartSuggestion]:
        """Rubric part -> the judge's suggestion; none unless the verdict is valid."""
        if self.status != "scored":
            return {}
        return {p: JudgeSuggestion(p, v, ("judge",)) for p, v in self.scores.items()}

    def csv_columns(self) -> dict[str, object]:
        """The row's judge cells: model, a score per part (empty unless scored), reason, cost."""
        cells: dict[str, object] = {"judge_model": self.judge_model}
        for part in RUBRIC_MAX:
            cells[f"judge_{part}"] = self.scores.get(part)
        cells["judge_reason"] = self.reason if self.status == "scored" else self.label
        cells["judge_cost_usd"] = None if self.cost_usd is None else round(self.cost_usd, 8)
        return cells

    def as_dict(self) -> dict[str, Any]:
        """The transcript's form, the judge's raw answer included."""
        return {
            "status": self.status,
            "model": self.judge_model,
            "scores": dict(self.scores),
            "reason": self.reason,
            "cost_usd": self.cost_usd,
            "raw": self.raw,
        }


def verdict_of_run(judge_model: str, slot: RunSlot) -> JudgeVerdict:
    """The verdict of a finished judge run: failed, invalid or scored (cost always kept)."""
    stats = slot.stats()
    cost = stats.cost_usd
    if stats.error is not None:
        reason = f"{stats.error.kind}: {stats.error.message}"
        return JudgeVerdict("failed", judge_model, reason=reason, cost_usd=cost, raw=stats.text)
    parsed = parse_verdict(stats.text)
    if isinstance(parsed, str):
        return JudgeVerdict("invalid", judge_model, reason=parsed, cost_usd=cost, raw=stats.text)
    scores, reason = parsed
    return JudgeVerdict("scored", judge_model, scores, reason, cost, stats.text)


StartRuns = Callable[[list["RunPlan"]], Awaitable[None]]


class JudgeRunner:
    """Sends finished answers to the judge as ordinary runs, and hands back verdicts.

    The caller's runner carries the judge's runs beside the judged ones: it passes every
    event to `sink` and every end to `on_ended` first (each returns True for a judge run).

    Args:
        settings: the `[judge]` config.
        judge: the judge model, resolved.
        start: starts runs (`ChildDuelRunner.start`).
    """

    def __init__(self, settings: JudgeConfig, judge: ResolvedModel, start: StartRuns) -> None:
        self.settings = settings
        self.judge = judge
        self._start = start
        self._pending: dict[str, tuple[DuelState, asyncio.Future[JudgeVerdict]]] = {}

    def sink(self, run_id: str, stamped: Stamped) -> bool:
        """Feed a judge run's event to its meter; False for any other run."""
        pending = self._pending.get(run_id)
        if pending is None:
            return False
        pending[0].sink(run_id, stamped)
        return True

    def on_ended(self, run_id: str) -> bool:
        """A judge run ended: its verdict is ready; False for any other run."""
        pending = self._pending.pop(run_id, None)
        if pending is None:
            return False
        duel, future = pending
        slot = duel.slots[0]
        slot.ended = True
        if not future.done():
            future.set_result(verdict_of_run(self.judge.spec, slot))
        return True

    async def verdict(
        self,
        task: JudgedTask,
        answered_by: ResolvedModel,
        answer: str,
        conversation: Conversation | None = None,
    ) -> JudgeVerdict:
        """The judge's verdict on one finished answer (never raises for a judge outage).

        `conversation`: the run's conversation (`StreamStats.conversation`), when it had
        follow-up turns: the judge then reads it turn by turn instead of `answer`.
        """
        spec = self.judge.spec
        if not self.settings.allow_self and is_self_judging(self.judge, answered_by):
            maker = model_vendor(self.judge) or self.judge.provider
            return JudgeVerdict(
                "skipped",
                spec,
                reason=f"the judge's own provider ({maker}, whatever serves it); "
                "allow_self = true in [judge] allows it",
            )
        turns = conversation_turns(conversation) if conversation is not None else []
        prompt = build_judge_prompt(
            task,
            turns if len(turns) > 1 else answer,
            rubric=self.settings.rubric,
            hide=blind_names(answered_by),
        )
        duel = DuelState.create([self.judge], prompt, JUDGE_SYSTEM, task_type="judge")
        slot = duel.slots[0]
        future: asyncio.Future[JudgeVerdict] = asyncio.get_running_loop().create_future()
        self._pending[slot.run_id] = (duel, future)
        try:
            await self._start(duel.plans())
        except Exception as exc:  # a runner that cannot take the run: the judge is out
            self._pending.pop(slot.run_id, None)
            return JudgeVerdict("failed", spec, reason=f"cannot start the judge run ({exc})")
        return await future


def judged_task(task: Task | None, duel: DuelState) -> JudgedTask:
    """What the judge is told of a duel's task: its prompt, a task file's criteria and format."""
    if task is None:
        return JudgedTask(duel.prompt)
    return JudgedTask(duel.prompt, tuple(task.criteria), task.output_format)


def judge_runner(
    settings: JudgeConfig | None,
    resolve: Callable[[str], ResolvedModel],
    start: StartRuns,
) -> JudgeRunner | None:
    """The judge of a session, or None when `[judge]` is absent or `enabled = false`.

    Args:
        settings: the config's `[judge]`.
        resolve: turns the judge's spec into a model (`config.resolve_model`).
        start: starts runs on the session's runner.
    """
    if settings is None or not settings.enabled:
        return None
    return JudgeRunner(settings, resolve(settings.model), start)
