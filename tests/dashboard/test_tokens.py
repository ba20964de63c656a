"""Teams SSO: the Entra token checked against a local key set served on loopback → 200, 401 or 403."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.dashboard.conftest import CHAIR, CHAIR_OID, OWNER, Tab
from tests.dashboard.entra_keys import LocalEntra, new_key
from tests.digest.history import AS_OF


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_valid_token_of_a_person_in_the_plan_opens_the_plan(sso_tab: Tab, entra: LocalEntra) -> None:
    answer = await sso_tab.get("/tab/plan", headers=bearer(entra.token(oid=CHAIR_OID, username="x@elsewhere")))
    assert answer.status == 200
    page = await answer.text()
    assert "Signed in as Helen Carter" in page and "WWP-04" in page
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=None" in cookie and "Path=/tab" in cookie
    # The session carries on without the token, and the key set was fetched once.
    again = await sso_tab.get("/tab/figures")
    assert again.status == 200 and "Signed in as Helen Carter" in await again.text()
    assert len(entra.fetches) == 1


async def test_the_user_is_matched_by_upn_or_email_when_the_object_id_is_unknown(
    sso_tab: Tab, entra: LocalEntra
) -> None:
    answer = await sso_tab.post("/tab/session", headers=bearer(entra.token(username=OWNER.upper())))
    assert answer.status == 204
    page = await (await sso_tab.get("/tab/my")).text()
    assert "Nadia Rahman" in page


def _claims_cases(entra: LocalEntra) -> dict[str, str]:
    now = datetime.now(UTC)
    other = new_key()
    return {
        "expired": entra.token(oid=CHAIR_OID, now=now - timedelta(hours=3)),
        "not yet valid": entra.token(oid=CHAIR_OID, nbf=int((now + timedelta(hours=1)).timestamp())),
        "wrong audience": entra.token(oid=CHAIR_OID, aud="api://elsewhere/another-app"),
        "wrong issuer": entra.token(oid=CHAIR_OID, iss="https://login.microsoftonline.com/other/v2.0"),
        "wrong tenant": entra.token(oid=CHAIR_OID, tid="11111111-2222-3333-4444-555555555555"),
        "wrong scope": entra.token(oid=CHAIR_OID, scp="User.Read"),
        "no scope": entra.token(oid=CHAIR_OID, scp=None),
        "bad signature": entra.token(oid=CHAIR_OID, key=other),
        "alg none": entra.token(oid=CHAIR_OID, algorithm="none"),
        "HS256 with the public key's text": "eyJhbGciOiJIUzI1NiIsImtpZCI6InRlc3Qta2V5LTEifQ.e30.c2lnbmF0dXJl",
        "unknown kid": entra.token(oid=CHAIR_OID, kid="rolled-away"),
        "no exp": entra.token(oid=CHAIR_OID, exp=None),
        "not a JWT": "not-a-token",
    }


async def test_every_bad_token_is_401_and_sets_no_session(
    sso_tab: Tab, entra: LocalEntra, caplog: pytest.LogCaptureFixture
) -> None:
    for case, token in _claims_cases(entra).items():
        answer = await sso_tab.get("/tab/plan", headers=bearer(token))
        assert answer.status == 401, case
        assert "Set-Cookie" not in answer.headers, case
        assert "Sign-in failed" in await answer.text(), case
        session = await sso_tab.post("/tab/session", headers=bearer(token))
        assert session.status == 401, case
        assert token not in caplog.text, f"{case}: the token reached the log"


async def test_a_valid_user_outside_the_plan_gets_403_saying_whom_to_ask(sso_tab: Tab, entra: LocalEntra) -> None:
    token = entra.token(oid="aad-stranger", username="visitor@halton.example", name="Vic Visitor")
    answer = await sso_tab.get("/tab/plan", headers=bearer(token))
    assert answer.status == 403
    page = await answer.text()
    assert "not one of the people in the CQC improvement plan" in page
    assert "Helen Carter" in page and CHAIR in page and "chair" in page and "Priya Shah" in page
    assert (await sso_tab.post("/tab/session", headers=bearer(token))).status == 403


async def test_without_token_or_session_the_page_asks_teams_for_a_token(sso_tab: Tab) -> None:
    answer = await sso_tab.get("/tab/plan")
    assert answer.status == 401
    page = await answer.text()
    assert 'data-page="sso"' in page and "Signing you in" in page
    assert "Authentication is off" not in page
    # No developer sign-in outside local mode, and a developer cookie is worthless here.
    assert (await sso_tab.get("/tab/sign-in")).status == 404
    assert (await sso_tab.post("/tab/sign-in", data={"person": "1"})).status in (404, 405)


async def test_a_forged_or_expired_session_cookie_is_ignored(sso_tab: Tab, entra: LocalEntra) -> None:
    answer = await sso_tab.post("/tab/session", headers=bearer(entra.token(oid=CHAIR_OID)))
    value = answer.cookies["cqc_tab"].value
    body, _, signature = value.partition(".")
    for forged in (body + "." + "0" * len(signature), "garbage", body):
        sso_tab.http.cookie_jar.clear()
        sso_tab.http.cookie_jar.update_cookies({"cqc_tab": forged}, answer.url)
        assert (await sso_tab.get("/tab/plan")).status == 401
    sso_tab.http.cookie_jar.update_cookies({"cqc_tab": value}, answer.url)
    assert (await sso_tab.get("/tab/plan")).status == 200
    assert AS_OF.tzinfo is UTC  # the server's clock: sessions expire against it
