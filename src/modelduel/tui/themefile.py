"""The pydantic models of a theme file: where a user's theme is validated.

Imported when a file is validated (`tui.themeload`), not for the shipped themes, so the
launch path loads no pydantic for them; the names, defaults and wording are `tui.themes`.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError
from textual.color import Color, ColorParseError
from textual.theme import Theme

from modelduel.tui.themes import APP_VARIABLE_DEFAULTS, APP_VARIABLES, NAME_PATTERN, did_you_mean

__all__ = ["ThemeFile", "ThemeVariables"]


def _check_colour(value: str) -> str:
    """Reject what Textual could not parse, so a bad colour fails here, not at paint time."""
    try:
        Color.parse(value)
    except ColorParseError:
        raise PydanticCustomError(
            "colour",
            "not a colour: {value} (use #rrggbb, #rrggbbaa, rgb(...), hsl(...) or a colour name)",
            {"value": repr(value)},
        ) from None
    return value


Colour = Annotated[str, AfterValidator(_check_colour)]
"""A colour string as written in the file, proven parseable by Textual."""


@cache
def _textual_variable_names() -> frozenset[str]:
    """The variables Textual derives from a theme, which a theme file may override.

    Computed from Textual itself so a new Textual release extends the list; the
    base colours are excluded because they are top-level fields of the file.
    """
    generated = Theme("probe", primary="#000000").to_color_system().generate()
    return frozenset(generated) - set(ThemeFile.model_fields)


class ThemeVariables(BaseModel):
    """The `[variables]` table of a theme file.

    The app's own colours are named fields (each optional: a missing one falls
    back to `APP_VARIABLE_DEFAULTS`); any other key must be a Textual theme
    variable, whose value is passed through as written.
    """

    model_config = ConfigDict(frozen=True, extra="allow", strict=True)

    # Extra keys are Textual variable overrides; typing them makes pydantic
    # report a non-string value with the variable's own name in the location.
    __pydantic_extra__: dict[str, Annotated[str, Field(min_length=1)]]

    provider_openai: Colour | None = Field(None, alias="provider-openai")
    """Accent of OpenAI models: their pane's border and header, once names are shown."""
    provider_anthropic: Colour | None = Field(None, alias="provider-anthropic")
    """Accent of Anthropic models."""
    provider_gemini: Colour | None = Field(None, alias="provider-gemini")
    """Accent of Gemini models."""
    provider_other: Colour | None = Field(None, alias="provider-other")
    """Accent of any other provider (local OpenAI-compatible servers, ...)."""
    latency_fast: Colour | None = Field(None, alias="latency-fast")
    """A pane's time to first token, when the duel's fastest and another is slow."""
    latency_slow: Colour | None = Field(None, alias="latency-slow")
    """A pane's time to first token, when 1.5x the duel's fastest and 0.25 s later."""
    winner: Colour | None = None
    """The double border of a duel's one best-scored pane, once every answer is scored."""
    estimate: Colour | None = None
    """Figures marked `~` (token counts and cost before the provider reports usage)."""
    reasoning: Colour | None = None
    """The reasoning (thinking) text shown above an answer."""

    @model_validator(mode="wrap")
    @classmethod
    def _known_names(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        # A typo such as "provider-opnai" would otherwise pass as a Textual
        # variable and never take effect. Checked around the field validation,
        # not after it, so a file's bad colours and unknown names are reported
        # together in one pass rather than one edit-and-retry at a time.
        unknown: list[InitErrorDetails] = []
        if isinstance(data, dict) and not data.keys() <= set(APP_VARIABLES):
            known = _textual_variable_names()
            unknown = [
                {
                    "type": PydanticCustomError(
                        "unknown_variable",
                        "unknown variable{hint}",
                        {
                            "hint": did_you_mean(str(key), [*APP_VARIABLES, *known])
                            or f" (app variables: {', '.join(APP_VARIABLES)}; or any Textual "
                            "theme variable)"
                        },
                    ),
                    "loc": (str(key),),
                    "input": value,
                }
                for key, value in data.items()
                if key not in APP_VARIABLES and key not in known
            ]
        try:
            result = handler(data)
        except ValidationError as exc:
            # An unknown name is the one problem to report for its key, not also its value.
            named = {detail["loc"] for detail in unknown}
            others = [_reraisable(e) for e in exc.errors() if e["loc"][:1] not in named]
            raise ValidationError.from_exception_data(exc.title, [*others, *unknown]) from None
        if unknown:
            raise ValidationError.from_exception_data(cls.__name__, unknown)
        return result

    def resolved(self) -> dict[str, str]:
        """All variables for a Textual theme, missing app colours filled from the defaults.

        Returns:
            A new dict of variable name to value.
        """
        given = self.model_dump(by_alias=True, exclude_none=True)
        return {**APP_VARIABLE_DEFAULTS, **given}


class ThemeFile(BaseModel):
    """One theme file, as validated data.

    Field names and meanings are those of `textual.theme.Theme`; only `name`,
    `dark` and `primary` are required, Textual derives the rest.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    name: str
    """The name shown in the command palette and given to `--theme`."""
    dark: bool
    """Whether this is a dark theme (Textual picks text colours from it)."""
    primary: Colour
    """The main accent: focused borders, buttons, the footer's keys."""
    secondary: Colour | None = None
    """A second accent."""
    accent: Colour | None = None
    """Highlights that must stand out from primary."""
    foreground: Colour | None = None
    """Default text colour."""
    background: Colour | None = None
    """Screen background."""
    surface: Colour | None = None
    """Background of widgets such as the panes."""
    panel: Colour | None = None
    """Background of headers and panels that sit above surfaces."""
    boost: Colour | None = None
    """A translucent colour laid over others to lift them (hover, focus)."""
    warning: Colour | None = None
    """Warnings (a stall, a missing price)."""
    error: Colour | None = None
    """Errors (a failed pane)."""
    success: Colour | None = None
    """Success (a finished run, a saved score)."""
    luminosity_spread: float | None = Field(None, ge=0.0, le=1.0)
    """How far Textual's lighten/darken shades spread (Textual default 0.15)."""
    text_alpha: float | None = Field(None, ge=0.0, le=1.0)
    """Opacity of text over its background (Textual default 0.95)."""
    variables: ThemeVariables = Field(default_factory=lambda: ThemeVariables.model_validate({}))
    """App colours and Textual variable overrides."""

    @field_validator("name")
    @classmethod
    def _usable_name(cls, value: str) -> str:
        # The name is typed after --theme and stored in config, so keep it a plain word.
        if not NAME_PATTERN.fullmatch(value):
            raise PydanticCustomError(
                "theme_name",
                "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter "
                "or digit (got {value})",
                {"value": repr(value)},
            )
        return value

    def to_theme(self) -> Theme:
        """Build the Textual theme, with missing app variables filled from the defaults.

        Returns:
            A `textual.theme.Theme` ready for `App.register_theme()`.
        """
        optional: dict[str, Any] = {}
        if self.luminosity_spread is not None:
            optional["luminosity_spread"] = self.luminosity_spread
        if self.text_alpha is not None:
            optional["text_alpha"] = self.text_alpha
        return Theme(
            name=self.name,
            primary=self.primary,
            secondary=self.secondary,
            warning=self.warning,
            error=self.error,
            success=self.success,
            accent=self.accent,
            foreground=self.foreground,
            background=self.background,
            surface=self.surface,
            panel=self.panel,
            boost=self.boost,
            dark=self.dark,
            variables=self.variables.resolved(),
            **optional,
        )


def _reraisable(error: ErrorDetails) -> InitErrorDetails:
    """Wrap an error already raised so it can be raised again with others, message unchanged."""
    return {
        "type": PydanticCustomError(error["type"], "{msg}", {"msg": error["msg"]}),
        "loc": error["loc"],
        "input": error["input"],
    }
