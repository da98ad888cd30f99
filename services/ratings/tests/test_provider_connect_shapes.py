"""Reading Creditsafe Connect's JSON into the domain: the documented shapes, their variants
(no results, portfolio notification events, letter-only ratings) and what is dropped."""

from __future__ import annotations

from datetime import UTC, datetime

from ratings.adapters.providers import connect_shapes as shapes
from ratings.domain.companies import CompanyId
from ratings.domain.credit_file import CommonRating, Money, Trend
from ratings.ports import LIMIT_CHANGED, RATING_CHANGED, SCORE_CHANGED, ProviderEvent

SIREN = CompanyId.parse("FR", "732829320")
NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def report(rating: dict[str, object], **extra: object) -> dict[str, object]:
    return {"report": {"creditScore": {"currentCreditRating": rating}, **extra}}


def test_no_results_has_an_object_where_the_list_would_be() -> None:
    body = {"totalSize": 0, "companies": {}, "messages": [{"type": "Information", "code": "NoResults"}]}
    assert shapes.companies_from(body) == []


def test_a_result_without_a_valid_number_is_skipped() -> None:
    body = {
        "companies": [
            {"id": "FR-X-1", "country": "FR", "regNo": "732829321", "name": "Bad check digit"},
            {"id": "FR-X-2", "country": "FR", "regNo": "73282932000074", "name": "By its SIRET"},
        ]
    }
    (company,) = shapes.companies_from(body)
    assert company.id == SIREN
    assert company.provider_id == "FR-X-2"
    assert company.address is None


def test_an_address_from_its_parts_or_its_simple_value() -> None:
    parts = {"houseNumber": "12", "street": "rue des Lilas", "postalCode": "75008", "city": "Paris"}
    simple = {"simpleValue": "12 rue des Lilas, 75008 Paris", "country": "FR"}
    for address, line in ((parts, "12 rue des Lilas"), (simple, "12 rue des Lilas, 75008 Paris")):
        company = shapes.company_from(
            {"id": "x", "country": "FR", "regNo": "732829320", "name": "N", "address": address}
        )
        assert company is not None
        assert company.address is not None
        assert company.address.lines == (line,)
        assert company.address.country == "FR"


def test_the_report_gives_limit_in_cents_score_trends_and_solvency() -> None:
    body = report(
        {
            "commonValue": "B",
            "commonDescription": "Low Risk",
            "creditLimit": {"currency": "EUR", "value": "45000.50"},
            "providerValue": {"minValue": "0", "maxValue": "100", "value": "64"},
        },
        indicators=[{"type": "pbi", "value": "3"}, {"type": "fsi", "value": "58"}],
        additionalInformation={"trends": {"profitability": "Down", "liquidity": "Up", "netWorth": "Stable"}},
    )
    file = shapes.credit_file_from(body, company=SIREN, provider="creditsafe", page_url="u", synchronised_at=NOW)
    assert file.national_score == 64
    assert file.rating is CommonRating.B
    assert file.credit_limit == Money(4_500_050, "EUR")
    assert file.solvency_index == 58
    assert file.trends.profitability is Trend.DOWN
    assert file.trends.liquidity is Trend.UP
    assert file.trends.net_worth is Trend.FLAT
    assert file.trends.payment is Trend.FLAT  # absent: flat
    assert file.provider_rating == "64"


def test_a_provider_value_on_another_range_is_scaled_to_0_100() -> None:
    rating = {"providerValue": {"minValue": "1", "maxValue": "10", "value": "10"}}
    assert shapes.national_score(rating) == 100
    assert shapes.national_score({"providerValue": {"minValue": "1", "maxValue": "10", "value": "1"}}) == 0
    assert shapes.national_score({"providerValue": {"value": "250"}}) == 100  # never above 100


def test_a_letter_only_rating_takes_the_middle_of_its_band() -> None:
    rating: dict[str, object] = {"commonValue": "C", "providerValue": {"value": "Moyen"}}
    assert shapes.national_score(rating) == 40
    assert shapes.national_score({}) is None
    file = shapes.credit_file_from(report(rating), company=SIREN, provider="p", page_url=None, synchronised_at=NOW)
    assert file.rating is CommonRating.C
    assert file.provider_rating == "Moyen"
    assert file.credit_limit is None


def test_a_limit_in_an_unknown_currency_is_dropped_not_stored() -> None:
    body = report({"creditLimit": {"currency": "euro", "value": "100"}, "providerValue": {"value": "70"}})
    file = shapes.credit_file_from(body, company=SIREN, provider="p", page_url=None, synchronised_at=NOW)
    assert file.credit_limit is None
    assert file.national_score == 70


def test_company_events_map_codes_names_and_units() -> None:
    body = {
        "data": [
            {
                "eventId": 1,
                "globalEventCode": "CL",
                "ruleName": "Credit Limit Change",
                "oldValue": "6100000",
                "newValue": "7050000",
                "eventDate": "2019-03-14T22:21:50",
            },
            {
                "eventId": 2,
                "ruleName": "International Rating | Reduce by 1 Band",
                "oldValue": "b",
                "newValue": "C",
                "eventDate": "2019-03-15T10:00:00Z",
            },
            {
                "eventId": 3,
                "ruleName": "International Score Change",
                "oldValue": "61",
                "newValue": "55",
                "eventDate": "2019-03-16T10:00:00+01:00",
            },
            {"eventId": 4, "ruleName": "Director Appointed", "eventDate": "2019-03-17T10:00:00"},
            {"ruleName": "No id: dropped", "eventDate": "2019-03-18T10:00:00"},
        ]
    }
    limit, rating, score, other = shapes.events_from(body, SIREN)
    assert (limit.kind, limit.old_value, limit.new_value) == (LIMIT_CHANGED, "610000000", "705000000")
    assert limit.occurred_at == datetime(2019, 3, 14, 22, 21, 50, tzinfo=UTC)
    assert (rating.kind, rating.old_value, rating.new_value) == (RATING_CHANGED, "B", "C")
    assert (score.kind, score.old_value, score.new_value) == (SCORE_CHANGED, "61", "55")
    assert score.occurred_at == datetime(2019, 3, 16, 9, 0, tzinfo=UTC)
    assert other.kind == "director_appointed"
    assert other.old_value is None


def test_portfolio_notification_events_have_the_same_reading() -> None:
    body = {
        "data": [
            {
                "company": {"id": "FR-X-732829320", "safeNumber": "FR00001", "name": "N", "countryCode": "FR"},
                "eventId": 77,
                "notificationEventId": 901,
                "eventDate": "2026-05-02T03:04:05",
                "ruleCode": 101,
                "ruleName": "Credit Limit Change",
                "summary": "Credit limit decreased",
                "oldValue": "50000",
                "newValue": "40000",
                "isProcessed": False,
            }
        ]
    }
    (event,) = shapes.events_from(body, SIREN)
    assert event.event_id == "901"
    assert event.description == "Credit limit decreased"
    assert (event.old_value, event.new_value) == ("5000000", "4000000")


def test_paging_follows_next_until_the_last_page() -> None:
    assert shapes.next_page({"paging": {"next": 1, "last": 3}}, 0) == 1
    assert shapes.next_page({"paging": {"next": None, "last": 3}}, 3) is None
    assert shapes.next_page({"paging": {"next": 4, "last": 3}}, 3) is None
    assert shapes.next_page({}, 0) is None


def test_history_undoes_the_changes_after_each_month() -> None:
    def event(day: int, kind: str, old: str, new: str) -> ProviderEvent:
        return ProviderEvent(f"{day}{kind}", SIREN, datetime(2026, day, 10, tzinfo=UTC), kind, "", old, new)

    events = [
        event(2, SCORE_CHANGED, "50", "55"),
        event(4, SCORE_CHANGED, "55", "61"),
        event(4, LIMIT_CHANGED, "1000000", "1200000"),
        event(4, RATING_CHANGED, "C", "B"),  # ignored: letters are not series
    ]
    ends = [datetime(2026, m + 1, 1, tzinfo=UTC) for m in range(1, 5)]  # ends of Jan..Apr
    values = shapes.history_points(61, 1_200_000, events, ends)
    assert values == [(50, 1_000_000), (55, 1_000_000), (55, 1_000_000), (61, 1_200_000)]
