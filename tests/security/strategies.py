"""Hostile input for the property-based input tests (tests/security/test_inputs.py).

A form field or a query parameter gets, at random: the valid value, nothing at all, one hostile
value, or the key repeated with several values. Hostile values are strings a browser would
never send but an attacker or a broken client will: very long text, control characters
(NUL above all: PostgreSQL text cannot hold it), lone surrogates and bytes that are not UTF-8,
emoji and direction marks, SQL and HTML fragments, path traversal, numbers of the wrong kind
or size, and dates far away or that do not exist.

Everything is sent as an encoded form body or query string (`encode`), so that values which
the test client would refuse to encode (lone surrogates, raw bytes) reach the server anyway.
"""

from urllib.parse import quote, urlencode

from hypothesis import strategies as st

#: A field left out of the submission altogether.
MISSING = object()

SQL = [
    "' OR 1=1 --",
    "' OR '1'='1",
    '" OR ""="',
    "'; DROP TABLE centers_center; --",
    "1' UNION SELECT password FROM centers_user --",
    "1; SELECT pg_sleep(10)",
    "%' AND 1=1 AND '%'='",
    "\\",
    "'",
    "%",
    "_",
]
HTML = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "{{ 7|add:7 }}",
    "{% debug %}",
    "${7*7}",
    "&lt;&#x3C;&amp;",
]
PATHS = [
    "../../../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "%2e%2e%2f%2e%2e%2f",
    "/etc/passwd",
    "photo.jpg\x00.php",
    "//evil.example/",
    "https://evil.example/",
    "file:///etc/passwd",
]
ODD = [
    "\x00",
    "%00",
    "a\x00b",
    "\u202eevil\u202c",
    "\u200f\u200e",
    "\ufeff",
    "\u200b",
    "\r\n\r\nSet-Cookie: x=1",
    "\t\x0b\x0c",
    "\x1b[31m",
    "\x7f\x08",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",
    "\U0001f3f3\ufe0f\u200d\U0001f308",
    "𠀀𪚥",
    "\ud800",
    "\udfff",
    "null",
    "None",
    "undefined",
    "[]",
    "{}",
    "true",
    " ",
    "",
]
NUMBERS = [
    "-1",
    "0",
    "-0",
    "1.5",
    "-2.5",
    "1e309",
    "1e-309",
    "NaN",
    "Infinity",
    "-Infinity",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "9" * 30,
    "9" * 5000,
    "1_000",
    "1,000",
    "0x10",
    " 12 ",
    "１２",  # full-width digits
    "١٢",  # Arabic-Indic digits
]
DATES = [
    "0001-01-01",
    "9999-12-31",
    "0000-01-01",
    "10000-01-01",
    "-2026-01-01",
    "2026-02-30",
    "2026-02-29",
    "2026-13-01",
    "2026-00-10",
    "2026-1-1",
    "99999999-01-01",
    "01/02/2026",
    "1970-01-01T00:00:00",
    "9999-12-31 23:59:59",
    "today",
    "24:00",
    "25:61",
    "23:59:60",
]
FRAGMENTS = SQL + HTML + PATHS + ODD + NUMBERS + DATES

#: Any character, control characters and lone surrogates included.
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)
long_text = st.sampled_from([257, 1001, 5001, 100_001]).flatmap(
    lambda n: st.sampled_from(["A", "中", "\U0001f600", "\x00", "'"]).map(lambda ch: ch * n)
)
mixed = st.lists(st.sampled_from(FRAGMENTS) | any_text, min_size=2, max_size=4).map("".join)
#: Bytes that need not be UTF-8 at all.
raw_bytes = st.binary(max_size=30)
numbers = st.sampled_from(NUMBERS) | st.integers().map(str) | st.floats().map(repr)
dates = st.sampled_from(DATES) | st.dates().map(lambda d: d.isoformat())

#: One hostile value.
hostile = st.one_of(
    st.sampled_from(FRAGMENTS),
    any_text,
    long_text,
    mixed,
    raw_bytes,
    numbers,
    dates,
)


def field_value(valid):
    """The valid value, left out, one hostile value, or the key repeated with several."""
    return st.one_of(
        st.just(valid),
        st.just(MISSING),
        hostile,
        st.lists(hostile | st.just(valid), min_size=2, max_size=3),
    )


def form_data(valid):
    """A submission built from a valid one (`{name: value}`): every field kept, changed or
    left out, and now and then a field nobody asked for."""
    fields = st.fixed_dictionaries({name: field_value(value) for name, value in valid.items()})
    extra = st.dictionaries(
        st.sampled_from(["id", "pk", "status", "center_id", "is_staff"]), hostile
    )
    return st.tuples(fields, extra).map(lambda pair: {**pair[1], **pair[0]})


def encode(data):
    """`data` as an application/x-www-form-urlencoded string, whatever the values hold.

    Lone surrogates are sent as the bytes they would be (invalid UTF-8), as a broken client
    would; raw bytes are sent as they are.
    """
    pairs = []
    for key, value in data.items():
        if value is MISSING:
            continue
        for one in value if isinstance(value, list) else [value]:
            if isinstance(one, str):
                one = one.encode("utf-8", "surrogatepass")
            pairs.append((key, one))
    return urlencode(pairs)


def path_segment(value):
    """`value` for a URL path, percent-encoded, '/' included."""
    if isinstance(value, str):
        value = value.encode("utf-8", "surrogatepass")
    return quote(value, safe="")
