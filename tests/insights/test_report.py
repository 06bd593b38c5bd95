"""Gap insights as data: themes ranked by friction, small groups hidden, trends, needs, resolution times."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.insights.facts import GapFact, ThemeLabel
from assistant.insights.friction import FrictionInputs, friction_parts, friction_score
from assistant.insights.groups import OTHER, group_namer
from assistant.insights.report import InsightsError, build_gap_insights
from assistant.interactions.records import AnsweredTurn, SuggestedPage

END = dt.datetime(2026, 11, 30, 18, 0, tzinfo=dt.UTC)


def gap(number: int, *, days_ago: float, theme: str, asker: str, team: str | None = "Tills", reason="no_answer",
        **extra) -> GapFact:
    return GapFact(gap_id=f"g{number}", created_at=END - dt.timedelta(days=days_ago), channel="slack",
                   reason=reason, question=f"question {number} about {theme}", asker=asker, team=team,
                   theme_id=theme, **extra)


def gift_card_theme() -> list[GapFact]:
    # Ten askers on the tills, rising this week, half of them with a customer at the till.
    return [gap(i, days_ago=1 + i % 3, theme="gift", asker=f"a{i}", customer_interaction=i % 2 == 0,
                dimension="enablement", nearest_path="en/customers/gift-cards.md", nearest_owner="Payments")
            for i in range(10)]


def test_friction_parts_add_up_and_follow_the_documented_weights() -> None:
    inputs = FrictionInputs(gaps=7, askers=3, recent=6, previous=1, negative_share=0.5, handoff_share=0.25,
                            customer_share=1.0)
    parts = friction_parts(inputs)
    assert parts == {"gaps": 30.0, "askers": 30.0, "growth": 18.07, "negative": 10.0, "handoff": 5.0,
                     "customer": 15.0}
    assert friction_score(inputs) == pytest.approx(sum(parts.values()))
    shrinking = FrictionInputs(gaps=7, askers=3, recent=0, previous=20, negative_share=0, handoff_share=0,
                               customer_share=0)
    assert friction_parts(shrinking)["growth"] == -10.0, "growth is clamped at -1 (halving or worse)"


def test_groups_below_the_minimum_are_other() -> None:
    name = group_namer([("Tills", f"a{i}") for i in range(5)] + [("Warehouse", "w1"), ("Warehouse", "w1"),
                                                                  (None, "x")], 5)
    assert name("Tills") == "Tills"
    assert name("Warehouse") == OTHER and name(None) == OTHER and name("never seen") == OTHER


def test_themes_are_ranked_by_friction_with_their_parts() -> None:
    gaps = [*gift_card_theme(), gap(100, days_ago=20, theme="parking", asker="b1", team="Warehouse")]
    labels = [ThemeLabel("gift", "gift card balance", ("what's the balance on this gift card?",))]
    insights = build_gap_insights(gaps, labels, period_end=END, since_days=30)
    first, second = insights.themes
    assert (first.theme_id, first.label, first.gaps, first.askers) == ("gift", "gift card balance", 10, 10)
    assert first.friction > second.friction and set(first.friction_parts) == {"gaps", "askers", "growth",
                                                                                "negative", "handoff", "customer"}
    assert first.owner == "Payments" and first.nearest_path == "en/customers/gift-cards.md"
    assert first.dimension == "enablement" and first.customer_share == 0.5
    assert first.new and "gift" in insights.new_themes and "gift" in insights.rising_themes
    assert second.owner == "Knowledge team", "a theme with no page goes to the default owner"
    assert first.teams == {"Tills": 10}
    assert second.teams == {OTHER: 1}, "one asker in the warehouse is not shown by name"


def test_weekly_trends_and_dimensions_by_team_hide_small_teams() -> None:
    gaps = [*gift_card_theme(), gap(100, days_ago=9, theme="parking", asker="b1", team="Warehouse",
                                    reason="negative_feedback", dimension="empowerment")]
    insights = build_gap_insights(gaps, [], period_end=END, since_days=30)
    assert sum(sum(week.values()) for week in insights.weekly["reason"].values()) == 11
    assert all("Warehouse" not in week for week in insights.weekly["team"].values())
    assert insights.dimensions_by_team == {"Tills": {"enablement": 10}, OTHER: {"empowerment": 1}}
    assert insights.totals["by_reason"] == {"no_answer": 10, "negative_feedback": 1}


def test_a_team_filter_refuses_a_team_too_small_to_show() -> None:
    gaps = [*gift_card_theme(), gap(100, days_ago=2, theme="parking", asker="b1", team="Warehouse")]
    only_tills = build_gap_insights(gaps, [], period_end=END, since_days=30, team="Tills")
    assert only_tills.totals["gaps"] == 10 and only_tills.filters == {"team": "Tills"}
    with pytest.raises(InsightsError, match="fewer than 5 askers"):
        build_gap_insights(gaps, [], period_end=END, since_days=30, team="Warehouse")


def test_knowledge_needs_go_to_the_owner_of_the_nearest_page_and_resolution_times_are_medians() -> None:
    resolved = [gap(200 + i, days_ago=10, theme="returns", asker=f"r{i}", state="resolved",
                    resolved_at=END - dt.timedelta(days=10 - (i + 1)), nearest_owner="Customer Policy Team")
                for i in range(3)]
    insights = build_gap_insights(gift_card_theme() + resolved, [], period_end=END, since_days=30,
                                  owner=None)
    [need] = insights.knowledge_needs
    assert need["owner"] == "Payments" and need["action"] == "extend the nearest page"
    assert len(need["questions"]) == 10
    assert insights.resolution_days_by_owner == {"Customer Policy Team": 2.0}
    only_policy = build_gap_insights(gift_card_theme() + resolved, [], period_end=END, since_days=30,
                                     owner="Customer Policy Team")
    assert only_policy.totals["gaps"] == 3 and only_policy.knowledge_needs == []


def test_questions_only_a_managers_page_answers_ask_for_what_staff_may_read() -> None:
    restricted = [gap(300 + i, days_ago=2, theme="appeal", asker=f"s{i}", reason="restricted",
                      nearest_path="en/staff/disciplinary-procedure.md", nearest_owner="People Team")
                  for i in range(3)]
    insights = build_gap_insights(restricted, [], period_end=END, since_days=30)
    [need] = insights.knowledge_needs
    assert need["owner"] == "People Team" and need["nearest_path"] == "en/staff/disciplinary-procedure.md"
    assert need["action"] == "write what staff may read (the answer is on a page for a narrower audience)"
    assert insights.totals["by_reason"] == {"restricted": 3}


def test_a_team_asking_far_more_about_a_well_answered_page_needs_training() -> None:
    day = END - dt.timedelta(days=1)
    answered = [AnsweredTurn(day, f"t{i % 5}", "Tills", "en/customers/returns.md", "Returns", None)
                for i in range(20)]
    answered += [AnsweredTurn(day, f"g{i}", "Garden", "en/customers/returns.md", "Returns", True) for i in range(5)]
    answered += [AnsweredTurn(day, f"{prefix}{i}", team, "en/staff/dress-code.md", "Dress code", None)
                 for i in range(5) for prefix, team in (("g", "Garden"), ("t", "Tills"))]
    insights = build_gap_insights([], [], period_end=END, since_days=30, answered=answered)
    assert insights.training_needs == [{"team": "Tills", "page_path": "en/customers/returns.md",
                                        "page_title": "Returns", "questions": 20, "per_asker": 4.0,
                                        "others_per_asker": 1.0}]


def test_the_report_data_is_json_ready() -> None:
    import json

    insights = build_gap_insights(gift_card_theme(), [], period_end=END, since_days=30)
    data = json.loads(json.dumps(insights.as_dict()))
    assert data["themes"][0]["first_seen"].startswith("2026-11-")
    assert data["period_end"] == "2026-11-30T18:00:00+00:00"


def test_order_lookups_count_outcomes_and_outage_hours_and_leave_company_counts_out_of_a_team_report() -> None:
    outages = [gap(200 + i, days_ago=0.01 * (i + 1), theme="orders", asker=f"o{i}", reason="order_system_unavailable")
               for i in range(3)]
    outcomes = {"order_found": 9, "order_not_found": 4, "order_system_unavailable": 3}
    insights = build_gap_insights([*gift_card_theme(), *outages], [], period_end=END, since_days=30,
                                  order_outcomes=outcomes)
    assert insights.order_lookups["by_outcome"] == outcomes
    assert insights.order_lookups["unavailable_by_hour"] == {"2026-11-30T17:00Z": 3}
    assert insights.as_dict()["order_lookups"]["unavailable_by_hour"] == {"2026-11-30T17:00Z": 3}
    team_only = build_gap_insights([*gift_card_theme(), *outages], [], period_end=END, since_days=30,
                                   team="Tills", order_outcomes=outcomes)
    assert "by_outcome" not in team_only.order_lookups, "look-up counts are the whole company's, not a team's"


def test_a_theme_names_its_gaps_newest_first_outside_the_json() -> None:
    insights = build_gap_insights(gift_card_theme(), [], period_end=END, since_days=30)
    [theme] = insights.themes
    created = {fact.gap_id: fact.created_at for fact in gift_card_theme()}
    assert sorted(theme.gap_ids) == sorted(created)
    assert [created[gap_id] for gap_id in theme.gap_ids] == sorted(created.values(), reverse=True)
    assert "gap_ids" not in insights.as_dict()["themes"][0]


SICKNESS = ("en/staff/sickness-absence.md", "Sickness absence")
COMPLAINTS = SuggestedPage("en/customers/complaints-and-escalation.md", "Complaints and escalation", "en")


def answered(asker: str, page: tuple[str, str], *, days_ago: float = 1, helpful: bool | None = None,
             source_language: str | None = "en") -> AnsweredTurn:
    return AnsweredTurn(END - dt.timedelta(days=days_ago), asker, "Tills", *page, helpful, source_language)


def test_pages_read_in_another_language_count_answers_suggestions_people_and_votes() -> None:
    turns = [answered("i1", SICKNESS, helpful=True), answered("i2", SICKNESS, helpful=False),
             answered("i1", SICKNESS),
             answered("e1", SICKNESS, source_language=None),  # asked in English: not read across languages
             answered("i3", SICKNESS, days_ago=40)]  # before the period
    held_back = [gap(300 + i, days_ago=2, theme="complaints", asker=f"i{i}", suggested_across=(COMPLAINTS,))
                 for i in range(4)]
    insights = build_gap_insights([*gift_card_theme(), *held_back], [], period_end=END, since_days=30,
                                  answered=turns)
    complaints, sickness = insights.read_across_languages
    assert (complaints.path, complaints.title, complaints.language) == (COMPLAINTS.path, COMPLAINTS.title, "en")
    assert (complaints.answered, complaints.suggested, complaints.askers) == (0, 4, 4)
    assert (sickness.path, sickness.title, sickness.language) == (*SICKNESS, "en")
    assert (sickness.answered, sickness.suggested, sickness.askers) == (3, 0, 2)
    assert (sickness.helpful, sickness.not_helpful) == (1, 1)
    assert insights.as_dict()["read_across_languages"][1]["answered"] == 3, "in the report's JSON too"


def test_pages_read_in_another_language_are_an_owners_own_and_no_teams() -> None:
    turns = [answered("i1", SICKNESS), answered("i2", ("en/customers/returns.md", "Returns"))]
    owners = {SICKNESS[0]: "People Team"}  # returns has no owner: the default owner keeps it
    everyone = build_gap_insights(gift_card_theme(), [], period_end=END, since_days=30, answered=turns)
    assert sorted(page.path for page in everyone.read_across_languages) == ["en/customers/returns.md", SICKNESS[0]]
    team = build_gap_insights(gift_card_theme(), [], period_end=END, since_days=30, team="Tills", answered=turns)
    assert team.read_across_languages == [], "a page is read by every team: a team's report leaves it out"
    people = build_gap_insights(gift_card_theme(), [], period_end=END, since_days=30, owner="People Team",
                                answered=turns, page_owner=owners.get)
    assert [page.path for page in people.read_across_languages] == [SICKNESS[0]]
    default = build_gap_insights(gift_card_theme(), [], period_end=END, since_days=30, owner="Knowledge team",
                                 answered=turns, page_owner=owners.get)
    assert [page.path for page in default.read_across_languages] == ["en/customers/returns.md"]
    unknown = build_gap_insights(gift_card_theme(), [], period_end=END, since_days=30, owner="People Team",
                                 answered=turns)
    assert unknown.read_across_languages == [], "without pages' owners an owner's report cannot choose"
