"""Matrix entries for login security: the second login step and the two-factor page.

Written from the brief, not from the views:

* the second login step (app code or recovery code) is public: it is reached before login. A
  logged-in session that already passed the second factor is sent on to the start page (302); an
  anonymous visitor without a pending login is sent back to the login page (302);
* the two-factor page and its actions are the user's own: every logged-in user, whatever the role
  and organisation, may open them; anonymous visitors are sent to log in. The world's admins and
  caseworkers have 2FA (their role requires it), so for them the page is the status page; for the
  others it is the set-up page. A wrong code re-renders the page (200) and changes nothing.
"""

from __future__ import annotations

from tests.matrix import ALL, Entry

OK = frozenset({200})
PAGE_OR_ON = frozenset({200, 302})
WRONG_CODE = "000000x"  # never valid: seven characters

ENTRIES: dict[str, Entry] = {
    "accounts:two_factor_login": Entry(
        own=ALL,
        partner=ALL,
        unrelated=ALL,
        anonymous=True,
        ok_statuses=PAGE_OR_ON,
        note="public: the second login step; without a pending login it sends you on",
    ),
    "accounts:two_factor_login#post": Entry(
        method="POST",
        data=lambda w: {"code": WRONG_CODE},
        own=ALL,
        partner=ALL,
        unrelated=ALL,
        anonymous=True,
        ok_statuses=PAGE_OR_ON,
        note="public: a code without a pending login counts for nobody",
    ),
    "accounts:recovery_login": Entry(
        own=ALL,
        partner=ALL,
        unrelated=ALL,
        anonymous=True,
        ok_statuses=PAGE_OR_ON,
        note="public: the second login step with a recovery code",
    ),
    "accounts:two_factor": Entry(
        own=ALL,
        partner=ALL,
        unrelated=ALL,
        ok_statuses=OK,
        note="everybody's own 2FA status or set-up page",
    ),
    "accounts:two_factor#confirm": Entry(
        method="POST",
        data=lambda w: {"code": WRONG_CODE},
        own=ALL,
        partner=ALL,
        unrelated=ALL,
        ok_statuses=OK,
        note="confirming set-up with a wrong code re-renders the page",
    ),
    "accounts:two_factor_disable": Entry(
        method="POST",
        data=lambda w: {"disable-code": WRONG_CODE},
        own=ALL,
        partner=ALL,
        unrelated=ALL,
        ok_statuses=OK,
        note="own 2FA; a wrong code re-renders the page (the set-up page for users without 2FA)",
    ),
    "accounts:recovery_regenerate": Entry(
        method="POST",
        data=lambda w: {"regen-code": WRONG_CODE},
        own=ALL,
        partner=ALL,
        unrelated=ALL,
        ok_statuses=OK,
        note="own 2FA; a wrong code re-renders the page (the set-up page for users without 2FA)",
    ),
}
