"""Authorization rows of the login/logout pages and the language switch."""

from diaodu.core.testing.authz import Case

CASES = [
    Case("accounts:login", expect={"anonymous": 200}, default=302, note="signed-in users go to the cockpit"),
    Case(
        "accounts:login",
        method="POST",
        data={"username": "nobody", "password": "wrong-password"},
        default=200,
        note="failed login re-renders",
    ),
    Case("accounts:logout", method="POST", default=302),
    Case("accounts:logout", default=405, note="GET"),
    Case("set_language", method="POST", data={"language": "en", "next": "/"}, default=302),
]

CASES += [
    # The second login step needs a password accepted moments ago in this session; otherwise back to login.
    Case("accounts:otp_verify", default=302, note="no pending login"),
    Case("accounts:otp_verify", method="POST", data={"code": "123456"}, default=302, note="no pending login"),
    Case("accounts:otp_enrol", default=302, note="no pending login"),
    Case("accounts:otp_enrol", method="POST", data={"code": "123456"}, default=302, note="no pending login"),
    Case("accounts:otp_setup", expect={"anonymous": 302}, default=200),
    Case(
        "accounts:otp_setup",
        method="POST",
        data={"code": "000000"},
        expect={"anonymous": 302},
        default=200,
        note="wrong code re-renders",
    ),
    Case("accounts:password_change", expect={"anonymous": 302}, default=200),
    Case(
        "accounts:password_change",
        method="POST",
        data={"old_password": "wrong", "new_password1": "Xy#12345678", "new_password2": "Xy#12345678"},
        expect={"anonymous": 302},
        default=200,
        note="wrong old password re-renders",
    ),
    # 登录日志: the security administrator and, as part of the audit trail, the audit administrator.
    Case("accounts:login_log", expect={"anonymous": 302, "secadmin": 200, "auditadmin": 200}, default=403),
    Case(
        "accounts:login_log",
        data={"account": "yishan", "success": "0", "address": "127.0.0.1"},
        expect={"anonymous": 302, "secadmin": 200, "auditadmin": 200},
        default=403,
        note="filtered",
    ),
]
