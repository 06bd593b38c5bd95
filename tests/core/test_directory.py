"""The staff directory: CSV and YAML, clear errors, redacted group names, reloads, and the audience it gives."""

from __future__ import annotations

import pytest

from assistant.access import Audience, capped_audience, visible_audiences
from assistant.directory import DirectoryError, ReloadingDirectory, StaffDirectory
from assistant.models import AskerProfile

CSV = """user_id,team,location,role,audience
U01,Tills,Store 42 Leeds,associate,staff
U02,Tills,Store 42 Leeds,manager,managers
aad-7f3e,Contact centre,Contact centre Milano,agent,
"""


def test_csv_rows_become_profiles(tmp_path) -> None:
    path = tmp_path / "directory.csv"
    path.write_text(CSV, encoding="utf-8")
    directory = StaffDirectory.load(path)
    assert len(directory) == 3
    assert directory.profile("U02") == AskerProfile(team="Tills", location="Store 42 Leeds", role="manager",
                                                    audience="managers")
    assert directory.profile("aad-7f3e").audience is None
    assert directory.profile("U99") == AskerProfile()


def test_a_country_column_is_read_as_a_code(tmp_path) -> None:
    path = tmp_path / "directory.csv"
    path.write_text("user_id,location,country\nU01,Store 42 Leeds,UK\nU02,Negozio Bologna,Italia\nU03,Milano,it\n"
                    "U04,Head office,\n", encoding="utf-8")
    directory = StaffDirectory.load(path)
    assert [directory.profile(user).country for user in ("U01", "U02", "U03", "U04")] == ["GB", "IT", "IT", None]


def test_yaml_with_a_staff_list(tmp_path) -> None:
    path = tmp_path / "directory.yml"
    path.write_text("staff:\n  - {user_id: U01, team: Garden, audience: staff}\n  - user_id: 42\n    role: picker\n",
                    encoding="utf-8")
    directory = StaffDirectory.load(path)
    assert directory.profile("U01").team == "Garden"
    assert directory.profile("42").role == "picker"


def test_group_values_are_redacted_when_loaded(tmp_path, redactor) -> None:
    path = tmp_path / "directory.csv"
    path.write_text("user_id,team,location\nU01,Team of giulia.rossi@example.com,Store 7 call 347 123 4567\n",
                    encoding="utf-8")
    profile = StaffDirectory.load(path, redactor.redact).profile("U01")
    assert "giulia.rossi@example.com" not in profile.team and "4567" not in profile.location


@pytest.mark.parametrize(("name", "content", "message"), [
    ("d.csv", "team,location\nTills,Leeds\n", "must name the columns, including user_id"),
    ("d.csv", "user_id,team\n,Tills\n", "entry 2: user_id is empty"),
    ("d.csv", "user_id,team,audience\nU1,Tills,bosses\n", "audience 'bosses' is not one of"),
    ("d.csv", "user_id,team\nU1,Tills\nU1,Garden\n", "appears twice"),
    ("d.csv", "user_id,squad\nU1,Tills\n", "unknown column(s) squad"),
    ("d.csv", "user_id,country\nU1,Narnia\n", "entry 2: unknown country 'Narnia': use one of GB, IT"),
    ("d.yml", "staff: [\n", "not valid YAML"),
    ("d.yml", "staff: {U1: Tills}\n", "expected a list"),
    ("d.json", "{}", "must be a .csv, .yml or .yaml file"),
])
def test_broken_files_say_what_is_wrong(tmp_path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DirectoryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        StaffDirectory.load(path)


def test_a_missing_file_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(DirectoryError, match="cannot read the staff directory"):
        StaffDirectory.load(tmp_path / "absent.csv")


def test_reloads_when_the_file_changes_and_keeps_the_last_good_one(tmp_path) -> None:
    path = tmp_path / "directory.csv"
    path.write_text("user_id,team\nU01,Tills\n", encoding="utf-8")
    now = [0.0]
    directory = ReloadingDirectory(path, check_seconds=30, clock=lambda: now[0])
    path.write_text("user_id,team\nU01,Garden centre\n", encoding="utf-8")
    assert directory.profile("U01").team == "Tills", "not checked again before check_seconds"
    now[0] = 31
    assert directory.profile("U01").team == "Garden centre"
    path.write_text("user_id,team\nU01,Tills\nU01,Tills\n", encoding="utf-8")
    now[0] = 62
    assert directory.profile("U01").team == "Garden centre", "a broken file keeps the last good directory"


def test_audiences_nest_and_caps_lower_them() -> None:
    assert visible_audiences("all") == ("all",)
    assert visible_audiences(Audience.MANAGERS) == ("all", "staff", "managers")
    assert capped_audience("managers", "staff") is Audience.STAFF
    assert capped_audience("all", "staff") is Audience.ALL
    assert capped_audience("managers", None) is Audience.MANAGERS
