"""Feedback routing rules: the defaults send every category somewhere, a category-and-area rule beats the
category's own, and the settings layers add rules or refuse a name they do not know, in words."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.services.errors import Refused
from console.services.feedback import route
from console.settings import DEFAULT_FEEDBACK_ROUTING, SettingsError, load_settings
from models import Department, FeedbackCategory, ProductArea


@pytest.mark.parametrize("category", list(FeedbackCategory))
def test_the_default_rules_send_every_category_in_every_area_to_a_department(category: FeedbackCategory) -> None:
    for area in ProductArea:
        assert route(DEFAULT_FEEDBACK_ROUTING, category, area) in Department


def test_a_category_and_area_rule_beats_the_rule_for_the_category() -> None:
    rules = {"complaint": "support_operations", "complaint/fees": "payments"}
    assert route(rules, FeedbackCategory.COMPLAINT, ProductArea.FEES) is Department.PAYMENTS
    assert route(rules, FeedbackCategory.COMPLAINT, ProductArea.APP) is Department.SUPPORT_OPERATIONS


def test_the_defaults_route_as_the_readme_says() -> None:
    expected = {
        (FeedbackCategory.BUG, ProductArea.APP): Department.ENGINEERING,
        (FeedbackCategory.BUG, ProductArea.SECURITY): Department.RISK_AND_SECURITY,
        (FeedbackCategory.USABILITY, ProductArea.APP): Department.PRODUCT,
        (FeedbackCategory.FEATURE_REQUEST, ProductArea.TRANSFERS): Department.PRODUCT,
        (FeedbackCategory.COMPLAINT, ProductArea.FEES): Department.PAYMENTS,
        (FeedbackCategory.COMPLAINT, ProductArea.DEPOSITS_WITHDRAWALS): Department.PAYMENTS,
        (FeedbackCategory.COMPLAINT, ProductArea.SECURITY): Department.RISK_AND_SECURITY,
        (FeedbackCategory.COMPLAINT, ProductArea.SUPPORT): Department.SUPPORT_OPERATIONS,
        (FeedbackCategory.PRAISE, ProductArea.SUPPORT): Department.SUPPORT_OPERATIONS,
        (FeedbackCategory.OTHER, ProductArea.OTHER): Department.SUPPORT_OPERATIONS,
    }
    for (category, area), department in expected.items():
        assert route(DEFAULT_FEEDBACK_ROUTING, category, area) is department, (category, area)


def test_a_category_without_any_rule_is_refused_in_words() -> None:
    with pytest.raises(Refused, match="No routing rule sends praise feedback"):
        route({"bug": "engineering"}, FeedbackCategory.PRAISE, ProductArea.APP)


def _write_config(home: Path, body: str) -> None:
    config_dir = home / "config"
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "config.toml").write_text(body)


def test_the_file_adds_rules_and_replaces_one_and_the_defaults_stay(isolated_user_dirs: Path) -> None:
    _write_config(
        isolated_user_dirs,
        '[feedback_routing]\n"complaint/app" = "product"\nbug = "Engineering"\n"usability" = " support_operations"\n',
    )
    rules = load_settings().feedback_routing
    assert rules["complaint/app"] == "product"
    assert rules["usability"] == "support_operations"  # replaced; names are not case- or space-sensitive
    assert rules["bug"] == "engineering"
    assert rules["complaint/fees"] == DEFAULT_FEEDBACK_ROUTING["complaint/fees"]
    assert route(rules, FeedbackCategory.COMPLAINT, ProductArea.APP) is Department.PRODUCT


def test_the_environment_adds_to_the_file(isolated_user_dirs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write_config(isolated_user_dirs, '[feedback_routing]\n"complaint/app" = "product"\n')
    monkeypatch.setenv("HOTLINE_FEEDBACK_ROUTING", "complaint/app=engineering, praise/support=product")
    settings = load_settings()
    assert settings.feedback_routing["complaint/app"] == "engineering"
    assert settings.feedback_routing["praise/support"] == "product"
    assert settings.feedback_routing["praise"] == "support_operations"
    assert settings.sources["feedback_routing"] == "env"


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ('complaint = "finance"', r"unknown department 'finance' in rule 'complaint' \(departments: product, "),
        ('"complaint/fees" = "legal"', r"unknown department 'legal' in rule 'complaint/fees'"),
        ('bugs = "engineering"', r"unknown category 'bugs' in rule 'bugs' \(categories: bug, usability, "),
        ('"bug/website" = "engineering"', r"unknown product area 'website' in rule 'bug/website' \(areas: "),
    ],
)
def test_an_unknown_name_in_the_file_is_a_clear_error(isolated_user_dirs: Path, rule: str, problem: str) -> None:
    _write_config(isolated_user_dirs, f"[feedback_routing]\n{rule}\n")
    with pytest.raises(SettingsError, match=rf"setting feedback_routing from .*config\.toml: {problem}"):
        load_settings()


def test_an_unknown_department_in_the_environment_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_FEEDBACK_ROUTING", "bug=it_helpdesk")
    with pytest.raises(SettingsError, match="environment variable HOTLINE_FEEDBACK_ROUTING: unknown department"):
        load_settings()
