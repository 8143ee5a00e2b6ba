"""The desktop's pages that show nothing without signing in, by URL name and arguments (for
test_access.py and test_staff_sign_in.py)."""

PAGES = [
    ("console:home", []),
    ("console:knowledge", []),
    ("console:customer", ["CUS-000001"]),
    ("console:register-customer", []),
    ("console:change-customer", ["CUS-000001"]),
    ("console:log-contact", ["CUS-000001"]),
    ("console:log-contact-general", ["CUS-000001"]),
    ("console:log-contact-details", ["CUS-000001", 1]),
    ("console:log-anonymous-contact", []),
    ("console:log-anonymous-contact-general", []),
    ("console:log-anonymous-contact-details", [1]),
    ("console:password-change", []),
    ("console:password-change-done", []),
]
