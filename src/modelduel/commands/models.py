"""`modelduel models`: the capability data, and what a model would be sent.

Without `-m`: every family (id patterns, thinking style, efforts, limits) with the
price source. With `-m SPEC`: the family the model matched (config override
applied), the effort and budget it gets, and the JSON body of its request, so a
user can see why a parameter was or was not sent.
"""

from __future__ import annotations

import argparse
import json
import sys

from modelduel.options import add_config_option, add_duel_options

__all__ = ["add_parser", "run", "run_models"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `models` subcommand's arguments."""
    models = sub.add_parser(
        "models",
        help="what modelduel knows about model families, and what it would send",
        description="List the capability data (id patterns, thinking, efforts, limits, "
        "price source); with -m, which family each model matched and the request body.",
    )
    models.add_argument(
        "-m", "--model", action="append", dest="models", metavar="SPEC", help="explain a model"
    )
    add_duel_options(models)
    add_config_option(models)


def run_models(args: argparse.Namespace) -> int:
    """Print the families, or explain the given models; exit 0."""
    from modelduel.capabilities import shipped_families
    from modelduel.config import DuelSettings, load_config, resolve_model
    from modelduel.core.pricing import price_source
    from modelduel.providers.registry import get_adapter

    config = load_config(args.config)
    out = sys.stdout
    if not args.models:
        out.write(f"model families, first match wins (prices: {price_source()})\n")
        for f in shipped_families():
            out.write(f"\n{f.name}  [{', '.join(f.kinds)}]  {' '.join(f.patterns)}\n")
            out.write(f"  {_caps_line(f)}\n")
        out.write('\noverride per model: [models."SPEC".capabilities] in the config\n')
        return 0
    duel = DuelSettings(args.effort, args.max_output_tokens)
    for spec in args.models:
        model = resolve_model(spec, config, dict(__import__("os").environ), duel)
        request, notices = model.plan_request("<prompt>", "<system>")
        body = get_adapter(model.kind).build_payload(request)
        from modelduel.core.pricing import price_run
        from modelduel.events import Usage

        cost = price_run(
            model.kind, model.model_id, Usage(1, 0, 1), model.options.price, model.options.free
        )
        out.write(f"{spec}: family {model.caps.name} ({model.kind})\n")
        out.write(f"  {_caps_line(model.caps)}\n")
        out.write(f"  price: {cost.source}\n")
        for notice in notices:
            out.write(f"  note: {notice}\n")
        out.write("  request body:\n")
        for line in json.dumps(body, indent=2, ensure_ascii=False).splitlines():
            out.write(f"    {line}\n")
    return 0


def _caps_line(f: object) -> str:
    from modelduel.capabilities import Family

    assert isinstance(f, Family)
    efforts = ", ".join(f.efforts) or "any"
    mapping = " ".join(f"{k}->{v}" for k, v in f.effort_map.items()) or "none"
    limits = f"max output {f.max_output_tokens or '?'}, context {f.context_window or '?'}"
    return (
        f"thinking {f.thinking}{' (on by default)' if f.reasoning else ''}; efforts {efforts}; "
        f"--effort {mapping}; temperature {'yes' if f.temperature else 'no'}, "
        f"top_p {'yes' if f.top_p else 'no'}; {limits}"
    )


# the command table's interface (`cli.COMMANDS`)
run = run_models
