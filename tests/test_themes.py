"""Theme files: every shipped one is valid, bad ones are reported (never raised), overrides."""

from __future__ import annotations

import tomllib
from pathlib import Path

import platformdirs
import pytest
from textual.app import App, ComposeResult
from textual.color import Color
from textual.widgets import Static

from modelduel.tui import themeload
from modelduel.tui.themeload import load_theme_file, load_themes, shipped_theme_dir, theme_dirs
from modelduel.tui.themes import APP_VARIABLE_DEFAULTS, APP_VARIABLES, DEFAULT_THEME, ThemeFile

REPO = Path(__file__).resolve().parents[1]
SHIPPED_FILES = sorted((REPO / "themes").glob("*.toml"))

GOOD = """\
name = "{name}"
dark = true
primary = "{primary}"
"""


def write(directory: Path, filename: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / filename
    path.write_text(text, encoding="utf-8")
    return path


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two opaque colours."""

    def luminance(colour: str) -> float:
        def channel(c: int) -> float:
            v = c / 255
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        r, g, b = Color.parse(colour).rgb
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# --- shipped themes ---------------------------------------------------------------------


def test_at_least_four_themes_ship_including_the_default_and_a_light_one() -> None:
    loaded, problems = load_themes([REPO / "themes"])
    assert problems == []
    names = {theme.name for theme in loaded}
    assert len(names) >= 4
    assert {DEFAULT_THEME, "modelduel-light", "modelduel-high-contrast"} <= names
    assert any(not theme.dark for theme in loaded)


@pytest.mark.parametrize("path", SHIPPED_FILES, ids=lambda p: p.stem)
def test_shipped_theme_is_valid_and_becomes_a_textual_theme(path: Path) -> None:
    theme, problems = load_theme_file(path)
    assert problems == []
    assert theme is not None
    # The file is named after its theme, so a user can find the one to copy.
    assert theme.name == path.stem
    # Textual derives every shade from it without complaint.
    generated = theme.to_color_system().generate()
    assert "primary-darken-2" in generated
    # A shipped theme sets every app colour itself rather than relying on the
    # mid-tone defaults, which are a compromise between dark and light.
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert set(APP_VARIABLES) <= set(data["variables"])
    for name in APP_VARIABLES:
        Color.parse(theme.variables[name])


@pytest.mark.parametrize("path", SHIPPED_FILES, ids=lambda p: p.stem)
def test_shipped_theme_text_is_readable(path: Path) -> None:
    data = ThemeFile.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    assert data.foreground and data.surface and data.background
    high_contrast = "high-contrast" in data.name
    # WCAG AA for body text (AAA for the high-contrast theme); 3:1 for the
    # coloured figures and accents, which are short and often bold.
    assert contrast(data.foreground, data.surface) >= (7.0 if high_contrast else 4.5)
    resolved = data.variables.resolved()
    for name in APP_VARIABLES:
        assert contrast(resolved[name], data.surface) >= (4.5 if high_contrast else 3.0), name


def test_the_app_defaults_cover_every_app_variable_with_a_colour() -> None:
    assert tuple(APP_VARIABLE_DEFAULTS) == APP_VARIABLES
    assert {
        "provider-openai",
        "provider-anthropic",
        "provider-gemini",
        "provider-other",
        "latency-fast",
        "latency-slow",
        "winner",
        "estimate",
        "reasoning",
    } <= set(APP_VARIABLES)
    for value in APP_VARIABLE_DEFAULTS.values():
        Color.parse(value)


class VariablesApp(App[None]):
    """Styles that use every app variable, as the real app's .tcss does."""

    CSS = "\n".join(
        f"#v-{name} {{ color: ${name}; background: $surface; }}" for name in APP_VARIABLES
    )

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(APP_VARIABLE_DEFAULTS)

    def compose(self) -> ComposeResult:
        for name in APP_VARIABLES:
            yield Static(name, id=f"v-{name}")


async def test_every_theme_styles_an_app_that_uses_the_app_variables() -> None:
    loaded, problems = load_themes([REPO / "themes"])
    assert problems == []
    app = VariablesApp()
    async with app.run_test(size=(40, 12)) as pilot:
        for theme in loaded:
            app.register_theme(theme)
        for theme in loaded:
            app.theme = theme.name
            await pilot.pause()
            widget = app.query_one("#v-winner", Static)
            assert widget.styles.color == Color.parse(theme.variables["winner"])
        # Textual's own themes know nothing of the app variables: the defaults fill in.
        app.theme = "nord"
        await pilot.pause()
        widget = app.query_one("#v-provider-openai", Static)
        assert widget.styles.color == Color.parse(APP_VARIABLE_DEFAULTS["provider-openai"])


# --- user themes: good ones ---------------------------------------------------------------


def test_a_theme_may_omit_variables_and_gets_the_defaults(tmp_path: Path) -> None:
    write(tmp_path, "mine.toml", GOOD.format(name="mine", primary="#123456"))
    (theme,), problems = load_themes([tmp_path])
    assert problems == []
    assert theme.name == "mine"
    assert theme.primary == "#123456"
    assert theme.dark is True
    assert theme.variables == APP_VARIABLE_DEFAULTS


def test_a_theme_may_set_some_variables_and_override_textual_ones(tmp_path: Path) -> None:
    text = GOOD.format(name="mine", primary="red") + (
        '[variables]\nwinner = "gold"\nfooter-key-foreground = "#ABCDEF"\n'
        'block-cursor-text-style = "bold"\n'
    )
    write(tmp_path, "mine.toml", text)
    (theme,), problems = load_themes([tmp_path])
    assert problems == []
    assert theme.variables["winner"] == "gold"
    assert theme.variables["reasoning"] == APP_VARIABLE_DEFAULTS["reasoning"]
    assert theme.variables["footer-key-foreground"] == "#ABCDEF"
    assert theme.to_color_system().generate()["block-cursor-text-style"] == "bold"


def test_optional_textual_fields_pass_through(tmp_path: Path) -> None:
    text = (
        GOOD.format(name="soft", primary="#336699") + "text_alpha = 0.8\nluminosity_spread = 0.2\n"
    )
    write(tmp_path, "soft.toml", text)
    (theme,), problems = load_themes([tmp_path])
    assert problems == []
    assert (theme.text_alpha, theme.luminosity_spread) == (0.8, 0.2)


def test_later_directories_override_earlier_ones_by_name(tmp_path: Path) -> None:
    shipped, user, extra = tmp_path / "shipped", tmp_path / "user", tmp_path / "extra"
    write(shipped, "a.toml", GOOD.format(name="a", primary="#000001"))
    write(shipped, "b.toml", GOOD.format(name="b", primary="#000002"))
    # The file name does not matter, the theme's name does.
    write(user, "my-a.toml", GOOD.format(name="a", primary="#000003"))
    write(user, "c.toml", GOOD.format(name="c", primary="#000004"))
    write(extra, "a.toml", GOOD.format(name="a", primary="#000005"))
    loaded, problems = load_themes([shipped, user, extra])
    assert problems == []
    assert [(t.name, t.primary) for t in loaded] == [
        ("a", "#000005"),
        ("b", "#000002"),
        ("c", "#000004"),
    ]


def test_a_bad_override_keeps_the_earlier_good_theme(tmp_path: Path) -> None:
    write(tmp_path / "one", "a.toml", GOOD.format(name="a", primary="#000001"))
    bad = write(tmp_path / "two", "a.toml", GOOD.format(name="a", primary="not-a-colour"))
    loaded, problems = load_themes([tmp_path / "one", tmp_path / "two"])
    assert [(t.name, t.primary) for t in loaded] == [("a", "#000001")]
    assert len(problems) == 1 and problems[0].startswith(f"{bad}: field 'primary'")


def test_non_toml_files_are_ignored(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "# my themes\n")
    write(tmp_path, "a.toml.bak", "garbage [")
    assert load_themes([tmp_path]) == ([], [])


# --- user themes: bad ones ----------------------------------------------------------------


def test_each_bad_file_is_one_message_naming_the_file_and_nothing_raises(tmp_path: Path) -> None:
    files = {
        "unknown-key": write(
            tmp_path, "unknown-key.toml", GOOD.format(name="u", primary="#fff") + 'colour = "red"\n'
        ),
        "bad-colour": write(tmp_path, "bad-colour.toml", GOOD.format(name="b", primary="#12345")),
        "syntax": write(tmp_path, "syntax.toml", 'name = "s\ndark = true\n'),
        "no-name": write(tmp_path, "no-name.toml", 'dark = true\nprimary = "#fff"\n'),
    }
    write(tmp_path, "fine.toml", GOOD.format(name="fine", primary="#fff"))
    loaded, problems = load_themes([tmp_path])
    assert [t.name for t in loaded] == ["fine"]
    assert len(problems) == len(files)
    by_file = {
        key: [p for p in problems if p.startswith(f"{path}: ")] for key, path in files.items()
    }
    assert all(len(found) == 1 for found in by_file.values()), problems
    assert "field 'colour': unknown key" in by_file["unknown-key"][0]
    assert "field 'primary': not a colour: '#12345'" in by_file["bad-colour"][0]
    assert "TOML syntax error" in by_file["syntax"][0] and "line 1" in by_file["syntax"][0]
    assert "field 'name': required but missing" in by_file["no-name"][0]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (GOOD.format(name="t", primary="#fff") + 'primry = "#fff"\n', "did you mean 'primary'?"),
        (
            GOOD.format(name="t", primary="#fff") + '[variables]\nprovider-opnai = "#fff"\n',
            "field 'variables.provider-opnai': unknown variable (did you mean 'provider-openai'?)",
        ),
        (
            GOOD.format(name="t", primary="#fff") + '[variables]\nwinner = "shiny"\n',
            "field 'variables.winner': not a colour: 'shiny'",
        ),
        (
            GOOD.format(name="t", primary="#fff") + "[variables]\nfooter-key-foreground = 3\n",
            "field 'variables.footer-key-foreground'",
        ),
        ('name = "t"\ndark = "yes"\nprimary = "#fff"\n', "field 'dark'"),
        ('name = "t"\ndark = true\n', "field 'primary': required but missing"),
        (GOOD.format(name="my theme", primary="#fff"), "field 'name': must be"),
        (GOOD.format(name="t", primary="#fff") + "text_alpha = 2\n", "field 'text_alpha'"),
        ("variables = 3\n" + GOOD.format(name="t", primary="#fff"), "field 'variables'"),
    ],
)
def test_bad_field_messages_name_the_field(tmp_path: Path, body: str, expected: str) -> None:
    path = write(tmp_path, "t.toml", body)
    theme, problems = load_theme_file(path)
    assert theme is None
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}: ")
    assert expected in problems[0]


def test_all_problems_of_one_file_are_reported_together(tmp_path: Path) -> None:
    body = 'name = "t"\ndark = true\nprimary = "nope"\n[variables]\nwinner = "x"\nwiner = "#fff"\n'
    path = write(tmp_path, "t.toml", body)
    _, problems = load_theme_file(path)
    assert [p.split(": ", 2)[1] for p in problems] == [
        "field 'primary'",
        "field 'variables.winner'",
        "field 'variables.winer'",
    ]


def test_a_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "binary.toml"
    path.write_bytes(b"\xff\xfe\x00name")
    loaded, problems = load_themes([tmp_path])
    assert loaded == []
    assert len(problems) == 1 and problems[0].startswith(f"{path}: not UTF-8")


def test_two_files_of_one_directory_with_one_name_are_reported(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", GOOD.format(name="same", primary="#000001"))
    second = write(tmp_path, "b.toml", GOOD.format(name="same", primary="#000002"))
    loaded, problems = load_themes([tmp_path])
    assert [(t.name, t.primary) for t in loaded] == [("same", "#000002")]
    assert len(problems) == 1 and problems[0].startswith(f"{second}: field 'name'")


def test_a_missing_directory_is_reported(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    loaded, problems = load_themes([REPO / "themes", missing])
    assert loaded
    assert problems == [f"{missing}: theme directory does not exist"]


# --- where themes come from ---------------------------------------------------------------


def test_the_wheel_includes_the_shipped_themes() -> None:
    # Cheaper than building a wheel: the hatch setting that copies themes/ into
    # the package, where shipped_theme_dir() looks first.
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    force_include = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert force_include["themes"] == "modelduel/_data/themes"


def test_theme_dirs_finds_the_shipped_themes_in_this_checkout() -> None:
    shipped = theme_dirs()[0]
    assert shipped == shipped_theme_dir()
    assert shipped.resolve() == (REPO / "themes").resolve()
    assert (shipped / f"{DEFAULT_THEME}.toml").is_file()


def test_shipped_theme_dir_prefers_the_installed_package_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "modelduel"
    (package / "_data" / "themes").mkdir(parents=True)
    monkeypatch.setattr(themeload, "files", lambda name: package)
    assert shipped_theme_dir() == package / "_data" / "themes"


def test_theme_dirs_order_and_the_user_dir_only_when_it_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    monkeypatch.setattr(platformdirs, "user_config_path", lambda app: config / app)
    extra = tmp_path / "extra"
    assert theme_dirs() == [shipped_theme_dir()]
    # A --themes dir is kept even if missing, so load_themes reports the typo.
    assert theme_dirs(extra) == [shipped_theme_dir(), extra]
    user = config / "modelduel" / "themes"
    user.mkdir(parents=True)
    assert theme_dirs(extra) == [shipped_theme_dir(), user, extra]


def test_theme_dirs_reads_the_user_dir_from_locations_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # locations.user_themes_dir is the one place the directory is computed: moving it
    # there (a test isolating a run patches only that) moves where themes are read.
    from modelduel import locations

    mine = tmp_path / "elsewhere" / "my-themes"
    mine.mkdir(parents=True)
    monkeypatch.setattr(locations, "user_themes_dir", lambda: mine)
    assert theme_dirs() == [shipped_theme_dir(), mine]
