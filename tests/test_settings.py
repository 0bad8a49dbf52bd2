"""wiretrace.settings: documented defaults, TOML overrides and the errors users can make."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from wiretrace.errors import InputError
from wiretrace.settings import AlignSettings, SameStorySettings, Settings, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "my-settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> InputError:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_settings(path)
    assert info.value.source == str(path)
    assert str(info.value).startswith(f"{path}: ")
    return info.value


def test_no_file_means_the_defaults() -> None:
    assert load_settings() == Settings() == Settings(AlignSettings(), SameStorySettings())


def test_toml_overrides_only_the_named_settings(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[align]\nmin_passage_chars = 200\nmax_gap = 2\n\n[same_story]\nsame_threshold = 0.6\n",
    )
    s = load_settings(path)
    assert s.align.min_passage_chars == 200 and s.align.max_gap == 2
    assert s.same_story.same_threshold == 0.6
    assert s.align == dataclasses.replace(AlignSettings(), min_passage_chars=200, max_gap=2)
    assert s.same_story == dataclasses.replace(SameStorySettings(), same_threshold=0.6)


def test_an_empty_file_or_empty_tables_change_nothing(tmp_path: Path) -> None:
    assert load_settings(write(tmp_path, "")) == Settings()
    assert load_settings(write(tmp_path, "[align]\n[same_story]\n")) == Settings()


def test_every_default_can_be_written_and_read_back(tmp_path: Path) -> None:
    """A file listing every setting with its default (as the README shows) loads to the
    defaults: every setting has a TOML-expressible type."""
    lines = []
    for section in dataclasses.fields(Settings):
        lines.append(f"[{section.name}]")
        for f in dataclasses.fields(getattr(Settings(), section.name)):
            value = getattr(getattr(Settings(), section.name), f.name)
            assert type(value) in (int, float, str, bool, tuple), f.name
            if type(value) is tuple:  # a list of strings in TOML
                lines.append(f"{f.name} = {json.dumps(list(value))}")
                continue
            lines.append(f"{f.name} = {str(value).lower() if type(value) is bool else repr(value)}")
    assert load_settings(write(tmp_path, "\n".join(lines) + "\n")) == Settings()


def test_a_list_setting(tmp_path: Path) -> None:
    assert load_settings(write(tmp_path, '[corpus]\nagencies = ["nwa", "ddp"]\n')).corpus.agencies == (
        "nwa",
        "ddp",
    )
    err = error_of(tmp_path, "[corpus]\nagencies = \"nwa\"\n")
    assert "corpus.agencies must be a list of strings" in str(err)


def test_an_integer_for_a_float_setting_becomes_a_float(tmp_path: Path) -> None:
    s = load_settings(
        write(tmp_path, "[align]\nseed_cosine = 1\n[same_story]\nsame_threshold = 0\n")
    )
    assert s.align.seed_cosine == 1.0 and type(s.align.seed_cosine) is float
    assert s.same_story.same_threshold == 0.0 and type(s.same_story.same_threshold) is float


def test_an_unknown_setting_is_an_error_naming_it(tmp_path: Path) -> None:
    err = error_of(tmp_path, "[align]\nmin_pasage_chars = 200\n")
    assert "align.min_pasage_chars" in err.reason and "unknown" in err.reason


def test_an_unknown_section_is_an_error_naming_it(tmp_path: Path) -> None:
    err = error_of(tmp_path, "[aligner]\nmax_gap = 2\n")
    assert "[aligner]" in err.reason


def test_a_section_that_is_not_a_table_is_an_error(tmp_path: Path) -> None:
    err = error_of(tmp_path, "align = 3\n")
    assert "[align]" in err.reason and "table" in err.reason


@pytest.mark.parametrize(
    ("line", "name", "expected_type"),
    [
        ('min_passage_chars = "200"', "align.min_passage_chars", "int"),
        ("min_passage_chars = 200.5", "align.min_passage_chars", "int"),
        ("min_passage_chars = true", "align.min_passage_chars", "int"),
        ('seed_cosine = "high"', "align.seed_cosine", "float"),
        ("seed_cosine = true", "align.seed_cosine", "float"),
        ("seed_cosine = [0.3]", "align.seed_cosine", "float"),
    ],
)
def test_a_value_of_the_wrong_type_is_an_error(
    tmp_path: Path, line: str, name: str, expected_type: str
) -> None:
    err = error_of(tmp_path, f"[align]\n{line}\n")
    assert name in err.reason and f"must be {expected_type}" in err.reason


def test_malformed_toml_is_an_error(tmp_path: Path) -> None:
    err = error_of(tmp_path, "[align\nmax_gap = \n")
    assert "invalid TOML" in err.reason


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "missing.toml"
    with pytest.raises(InputError) as info:
        load_settings(path)
    assert info.value.source == str(path) and "not found" in info.value.reason


def test_overrides_return_a_copy_and_settings_are_immutable() -> None:
    base = Settings()
    changed = base.with_overrides({"align": {"max_gap": 7}}, source="cli")
    assert changed.align.max_gap == 7 and base.align.max_gap == AlignSettings().max_gap
    with pytest.raises(dataclasses.FrozenInstanceError):
        base.align.max_gap = 3  # type: ignore[misc]


def test_with_overrides_names_its_source_in_errors() -> None:
    with pytest.raises(InputError) as info:
        Settings().with_overrides({"align": {"nope": 1}}, source="--settings flag")
    assert str(info.value).startswith("--settings flag: ") and "align.nope" in str(info.value)
