"""Agreement terms as data, from a hand-built plan."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest
from test_allocation import STANDALONE, hand_built_case

from optimizer.sharing.allocation import allocate, reserved_units, unit_price
from optimizer.sharing.terms import AgreementPolicy, agreement_terms, area_summary, mayor_title


@pytest.fixture
def case():
    problem, solution = hand_built_case()
    allocation = allocate(problem, solution, shapley="off")
    return problem, solution, allocation, agreement_terms(problem, solution, allocation)


def test_one_agreement_per_pair_numbered_in_order(case):
    problem, solution, allocation, terms = case
    assert [t.number for t in terms] == [1, 2, 3]
    assert [(t.a.code, t.b.code) for t in terms] == list(
        zip(solution.agreements["a"], solution.agreements["b"], strict=True)
    )
    assert all(t.a.code < t.b.code for t in terms)
    assert terms[0].a.name == "甲市" and terms[0].b.name == "乙町"


def test_facilities_each_way_with_capacity_reserved_and_payment(case):
    problem, solution, allocation, terms = case
    first = terms[0]  # 甲市 – 乙町
    by_facility = {u.facility: u for u in first.uses}
    assert set(by_facility) == {"L1", "H1"}
    library, hall = by_facility["L1"], by_facility["H1"]
    assert (library.host, library.user, library.reserved) == ("01001", "01002", 90_000)
    assert library.capacity == 420_000 and library.capacity_unit == "visits/year"
    assert library.unit_cost == pytest.approx(210_000_000 / 420_000)
    assert library.unit_price == 500
    assert library.payment == library.unit_price * library.reserved == 45_000_000
    assert (hall.host, hall.user, hall.reserved, hall.payment) == ("01002", "01001", 1_000, 2e8)
    assert library.operator == "municipal" and not library.is_new
    assert hall.type_name_ja == "文化ホール" and hall.type_name_en == "culture hall"
    assert first.hosted_by("01001") == (library,)
    assert first.hosted_by("01002") == (hall,)


def test_payments_each_way_and_net_match_the_allocation(case):
    problem, solution, allocation, terms = case
    flows = allocation.pair_flows.set_index(["a", "b"])
    for t in terms:
        row = flows.loc[(t.a.code, t.b.code)]  # whole units here: the annex equals the plan
        assert (t.a_to_b, t.b_to_a, t.net) == (row["a_to_b"], row["b_to_a"], row["net"])
        assert (t.plan_a_to_b, t.plan_b_to_a) == (row["a_to_b"], row["b_to_a"])
        paid_by_a = sum(u.payment for u in t.uses if u.user == t.a.code)
        assert paid_by_a == t.a_to_b and t.net == t.a_to_b - t.b_to_a
    # every payment of the plan is in exactly one agreement
    assert sum(len(t.uses) for t in terms) == len(allocation.payments)


FRACTIONAL_FLOWS = [
    # the plan serves fractions: 40.7 beds, 231.6 seats, 67,554.5 visits a year
    ("01001", "L1", 300_000, 2_000_000),
    ("01002", "L1", 67_554.5, 3_000_000),
    ("01001", "H1", 231.6, 3_000_000),
    ("01002", "H1", 300, 1_000_000),
    ("01001", "C1", 250, 0),
    ("01002", "C1", 40.7, 4_000_000),
    ("01003", "C2", 40, 3_000_000),
]


def test_reservations_are_whole_units_and_payments_follow_them():
    """Whole beds, seats and visits (the plan's use rounded up); the annex's payment is
    the whole-yen unit cost × the whole units, and the plan's exact amount is kept."""
    problem, solution = hand_built_case(flows=FRACTIONAL_FLOWS)
    allocation = allocate(problem, solution, shapley="off")
    (terms,) = agreement_terms(problem, solution, allocation)
    uses = {(u.facility, u.user): u for u in terms.uses}
    library, hall, care = uses[("L1", "01002")], uses[("H1", "01001")], uses[("C1", "01002")]
    assert (library.reserved, hall.reserved, care.reserved) == (67_555, 232, 41)
    assert (library.served, hall.served, care.served) == (67_554.5, 231.6, 40.7)
    for use in (library, hall, care):
        assert isinstance(use.reserved, int) and isinstance(use.payment, int)
        assert use.unit_price == round(use.unit_cost)
        assert use.payment == use.unit_price * use.reserved
        assert use.plan_payment == pytest.approx(use.unit_cost * use.served)
        assert abs(use.payment - use.plan_payment) < use.unit_price + 0.5 * use.reserved
    assert terms.a_to_b == hall.payment
    assert terms.b_to_a == library.payment + care.payment
    lines = allocation.payments.set_index(["payer", "facility"])
    assert lines.at[("01002", "C1"), "reserved"] == 41
    assert lines.at[("01002", "C1"), "agreed_amount"] == care.payment
    assert lines.at[("01002", "C1"), "amount"] == pytest.approx(care.plan_payment)


def test_reserved_units_round_up_within_the_capacity():
    assert reserved_units(40.7, 300) == 41
    assert reserved_units(90.0000000001, 300) == 90  # solver noise is not a bed
    assert reserved_units(0.2, 300) == 1  # any use reserves at least one unit
    assert reserved_units(299.5, 299.5) == 299  # never more than the capacity
    assert reserved_units(0.0, 10) == 0
    assert unit_price(598.5) == 599 and unit_price(598.49) == 598


def test_term_settings(case):
    problem, solution, allocation, terms = case
    assert terms[0].first_year == problem.parameters.base_year == 2026
    assert problem.parameters.agreement_term_years is None  # the default: until notice
    assert terms[0].policy.term_years is None and terms[0].last_year is None
    longer = agreement_terms(problem, solution, allocation, AgreementPolicy(term_years=10))
    assert longer[0].last_year == 2035
    assert longer[0].policy.notice_years == 2
    fixed = dataclasses.replace(
        problem, parameters=dataclasses.replace(problem.parameters, agreement_term_years=5)
    )
    assert agreement_terms(fixed, solution, allocation)[0].last_year == 2030


def test_area_summary_lists_roles_and_total_saving(case):
    problem, solution, allocation, terms = case
    summary = area_summary(problem, allocation, terms)
    assert summary.total_standalone == sum(STANDALONE.values())
    assert summary.total_plan == pytest.approx(1_915_000_000)
    assert summary.total_saving == pytest.approx(2_450_000_000 - 1_915_000_000)
    roles = {r.code: r for r in summary.roles}
    assert roles["01001"].hosts == ("甲市立中央図書館",)
    assert roles["01002"].uses == (
        ("甲市立中央図書館", "甲市"),
        ("丙村立特別養護老人ホーム", "丙村"),
    )
    assert roles["01003"].partners == ("01001", "01002")
    assert summary.worse_off == ()


def test_area_summary_names_who_would_be_worse_off():
    standalone = dict(STANDALONE, **{"01001": 1_000_000_000})
    problem, solution = hand_built_case(standalone=standalone)
    allocation = allocate(problem, solution, shapley="off")
    summary = area_summary(problem, allocation, agreement_terms(problem, solution, allocation))
    assert [r.code for r in summary.worse_off] == ["01001"]


@pytest.mark.parametrize(
    "name, title",
    [
        ("姫路市", "姫路市長"),
        ("稲美町", "稲美町長"),
        ("檜原村", "檜原村長"),
        ("千代田区", "千代田区長"),
        ("Springfield", "Springfieldの長"),
    ],
)
def test_mayor_title(name, title):
    assert mayor_title(name) == title


def test_allocation_terms_and_documents_never_import_pulp():
    code = (
        "import sys, optimizer.sharing.allocation, optimizer.sharing.terms, optimizer.outputs.documents, "
        "optimizer.sharing.shapley; print('pulp' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
