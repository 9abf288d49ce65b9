"""The files that put a routing decision to work: a TOML routing config and a LiteLLM one.

* `routes_toml_text`: `[routes]` maps task type -> model; `[details.TYPE]` holds the
  runner-up, margin, confidence and the figures behind it.
* `litellm_config`: a LiteLLM proxy/router config (YAML). `model_list` has one
  deployment per model that appears in a route (winner or runner-up), named by its
  modelduel spec (`openai/gpt-5.5`); `router_settings.model_group_alias` maps each task
  type to the winning model's group, so a client asks for `model="coding_bug_fix"` and
  LiteLLM sends it to the routed model. Spec -> LiteLLM `model`: `openai/`, `anthropic/`
  and `gemini/` are the same strings in LiteLLM; `openai-chat/X` (any OpenAI-compatible
  server) becomes `openai/X` with `api_base` from `OPENAI_BASE_URL`; anything else is
  passed through unchanged, with a comment to check it.

How sure a route is comes from one rule everywhere: given the power verdicts
(`core.power.separations`, as `modelduel route` prints them), the TOML's `confident` is
"separated at 95 %" with the verdict's `separation` note, and the LiteLLM comments carry
that note instead of a bare "(within noise)"; without verdicts (a caller that has none)
the bootstrap rule of `Route.confident` is used and named as such.

A decision built from simulated (demo) runs says so in both files: a `WARNING` comment
on the first line and a machine-readable `simulated = true` beside the routes. These are
pure functions (text in memory); `modelduel route` writes them with `write_export`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modelduel.core.routing import Route
from modelduel.providers import registry

if TYPE_CHECKING:
    from modelduel.core.power import Separation

__all__ = ["litellm_config", "routes_toml", "routes_toml_text", "yaml_dump"]


def routes_toml(
    routes: Mapping[str, Route],
    *,
    objective: str,
    success_score: float,
    sources: Sequence[Path] = (),
    simulated_note: str | None = None,
    separation: Mapping[str, Separation] | None = None,
) -> dict[str, Any]:
    """The `--export` document (a dict for tomli_w; None values left out, as TOML has none).

    Args:
        routes: the chosen routes.
        objective: the objective they were chosen for.
        success_score: the success threshold used.
        sources: the CSVs read.
        simulated_note: set when some runs were simulated: `simulated = true` and the note.
        separation: task type -> power verdict (the route line's); `confident` is then
            whether it is separated at 95 %, with the verdict's note and runs estimate.

    Returns:
        `{"objective", "success_score", "sources", "simulated", "routes": {type: model},
        "details": {type: {...}}}` (and `simulated_note` when simulated).
    """
    details: dict[str, Any] = {}
    for task_type, r in routes.items():
        sep = None if separation is None else separation.get(task_type)
        reason = r.reason
        if sep is not None:
            # how sure is the power verdict's to say (`separation`): the bootstrap rule's
            # "within noise" clause would contradict it
            reason = reason.split("; within noise:", 1)[0]
        entry: dict[str, Any] = {
            "model": r.model,
            "confident": r.confident if sep is None else sep.separated,
            "runs": r.runs,
            "reason": reason,
        }
        if sep is not None:
            entry["separation"] = sep.note
            if sep.runs_per_model is not None and not sep.separated:
                entry["runs_per_model_to_separate"] = sep.runs_per_model
        if r.runner_up is not None and r.margin is not None:
            entry |= {
                "runner_up": r.runner_up,
                "runner_up_runs": r.runner_up_runs,
                "margin": r.margin,
                "margin_unit": r.margin_unit,
            }
        if r.win_share is not None:
            entry["win_share"] = r.win_share
        details[task_type] = entry
    doc: dict[str, Any] = {
        "generated_by": "modelduel route",
        "objective": objective,
        "success_score": success_score,
        "sources": [str(p) for p in sources],
        "simulated": simulated_note is not None,
    }
    if simulated_note is not None:
        doc["simulated_note"] = simulated_note
    return doc | {"routes": {t: r.model for t, r in routes.items()}, "details": details}


def yaml_dump(data: Mapping[str, Any], comments: Iterable[str] = ()) -> str:
    """YAML (PyYAML's `safe_dump`, block style, keys in the given order) after `# ` comments.

    Args:
        data: the document.
        comments: lines written first, each as a `# ` comment.

    Returns:
        The YAML text, ending in a newline.
    """
    import yaml  # noqa: PLC0415 - only the LiteLLM export writes YAML

    head = "".join(f"# {line}".rstrip() + "\n" for c in comments for line in c.splitlines() or [""])
    body = yaml.safe_dump(
        dict(data), sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000
    )
    return head + body


def _litellm_params(spec: str) -> tuple[dict[str, Any], str | None]:
    """LiteLLM `litellm_params` for a modelduel model, and a comment when unsure."""
    provider, sep, model_id = spec.partition("/")
    builtin = sep and provider in registry.builtin_providers()
    if not builtin:
        note = None if not sep else f"{spec}: provider {provider!r} passed through; check it"
        return {"model": spec}, note
    known = registry.spec_for(provider)
    prefix, key_env, base_env = (
        known.litellm_prefix,
        known.litellm_key_env,
        known.litellm_base_url_env,
    )
    params: dict[str, Any] = {"model": f"{prefix}/{model_id}", "api_key": f"os.environ/{key_env}"}
    if base_env is not None:
        params["api_base"] = f"os.environ/{base_env}"
    return params, None


def _how_sure(route: Route, sep: Separation | None) -> str:
    """The comment's verdict: the power verdict's note, else the bootstrap rule's words."""
    if sep is not None:
        return f" ({sep.note})"
    return "" if route.confident else " (within noise)"


def litellm_config(
    routes: Mapping[str, Route],
    *,
    objective: str,
    simulated_note: str | None = None,
    separation: Mapping[str, Separation] | None = None,
) -> str:
    """The `--export-litellm` YAML: a deployment per model, a model group alias per task type.

    Args:
        routes: the chosen routes.
        objective: the objective they were chosen for (written in a comment).
        simulated_note: set when the routes were chosen from simulated runs: written as the
            first comment and as `modelduel.simulated: true` beside LiteLLM's own keys.
        separation: task type -> power verdict; each route's comment says it (as the
            route line does) instead of "(within noise)".

    Returns:
        YAML text for `litellm --config FILE` (or `Router(**config)` after loading it).
    """
    models = sorted(
        {r.model for r in routes.values()}
        | {r.runner_up for r in routes.values() if r.runner_up is not None}
    )
    comments = [f"WARNING: {simulated_note}"] if simulated_note else []
    comments += [
        f"LiteLLM router config written by `modelduel route` (objective: {objective}).",
        'Ask for model="<task type>" and the alias sends it to the routed model.',
    ]
    entries = []
    for spec in models:
        params, note = _litellm_params(spec)
        if note:
            comments.append(note)
        entries.append({"model_name": spec, "litellm_params": params})
    for task_type, r in routes.items():
        extra = f"; runner-up {r.runner_up}" if r.runner_up else ""
        sure = _how_sure(r, None if separation is None else separation.get(task_type))
        comments.append(f"{task_type} -> {r.model}{sure}{extra}")
    config: dict[str, Any] = {
        "model_list": entries,
        "router_settings": {"model_group_alias": {t: r.model for t, r in routes.items()}},
    }
    if simulated_note:
        config["modelduel"] = {"simulated": True, "note": simulated_note}
    return yaml_dump(config, comments)


def routes_toml_text(
    routes: Mapping[str, Route],
    *,
    objective: str,
    success_score: float,
    sources: Sequence[Path] = (),
    simulated_note: str | None = None,
    separation: Mapping[str, Separation] | None = None,
) -> str:
    """The `--export` file: `routes_toml` as TOML, after a `# WARNING` line when simulated."""
    import tomli_w  # noqa: PLC0415 - only `--export` writes TOML

    doc = routes_toml(
        routes,
        objective=objective,
        success_score=success_score,
        sources=sources,
        simulated_note=simulated_note,
        separation=separation,
    )
    head = f"# WARNING: {simulated_note}\n" if simulated_note else ""
    return head + tomli_w.dumps(doc)
