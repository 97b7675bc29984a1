"""Whatever is typed into any field, query or URL of any endpoint, the answer is never a 5xx.

Every endpoint of the access table is asked with values hypothesis makes up: text with NUL bytes,
100 kB strings, numbers past 2**63, 'nan' and '1e999', keys sent twice, files where text belongs,
JSON nested 10,000 levels. An admin asks everywhere; a person asks where persons may.
"""

import json
import re
import time
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter, PathConverter

from tests.security import fuzz_fields, fuzz_values
from tests.security import test_access_matrix as matrix
from tests.security.access import (
    ADMIN_ONLY,
    ANONYMOUS,
    ANONYMOUS_ONLY,
    OWNER_ONLY,
    PUBLIC,
    SECRET,
    SETUP,
    SOCKET,
)
from tests.security.table import TABLE
from tests.security.test_access_matrix import (
    build_url,
    methods_of,
    rules_by_endpoint,
    url_values,
)
from tests.security.world import ADMIN, ALICE, World, build, empty

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
# Endpoints whose input is JSON: the body itself, or one form field that carries it.
JSON_BODY = {"overseerr_webhook.overseerr_webhook"}
JSON_FIELD = {"library.plex_webhook": "payload"}
EXAMPLES = 10
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# The matrix's fixtures: one app per module, a world per test, a signed-in browser per role.
matrix_app, plex_tv, world = matrix.matrix_app, matrix.plex_tv, matrix.world
browsers, askers = matrix.browsers, matrix.askers
FIGURES = {"endpoints": set(), "requests": 0, "seconds": 0.0}
FUZZED = sorted(e for e, a in TABLE.items() if a.cls not in (SOCKET, SETUP))


def roles_for(access) -> tuple[str, ...]:
    """Who asks: an admin everywhere, a person where persons may, nobody signed in where only
    nobody may (a signed-in person is only sent on there)."""
    if access.cls == ANONYMOUS_ONLY:
        return (ANONYMOUS,)
    if access.cls in (ADMIN_ONLY, OWNER_ONLY):
        return (ADMIN,)
    if access.cls in (PUBLIC, SECRET):
        return (ANONYMOUS, ALICE, ADMIN)
    return (ALICE, ADMIN)


@pytest.fixture(scope="module")
def fields(matrix_app, browsers):
    """Endpoint -> the field names it reads, and every name any page offers."""
    world_ = build(matrix_app)
    found, offered = [], set()
    rules = rules_by_endpoint(matrix_app)
    for endpoint, access in TABLE.items():
        found.append({endpoint: fuzz_fields.from_source(matrix_app.view_functions[endpoint])})
        found.append({endpoint: set(access.data) | set(access.query)})
        if access.cls in (SOCKET, SETUP) or "GET" not in rules[endpoint].methods:
            continue
        for role in roles_for(access):
            browsers[role].enter(world_)
            values, _ = url_values(rules[endpoint], access, world_, role)
            url = build_url(matrix_app, endpoint, values, access.query, world_, role)
            answer = browsers[role].get(url, headers=access.headers)
            if answer.mimetype == "text/html":
                html = answer.get_data(as_text=True)
                found.append(fuzz_fields.from_page(matrix_app, html))
                offered |= fuzz_fields.literal_names(html)
    empty(matrix_app)
    return fuzz_fields.merge(*found, fuzz_fields.BY_HAND), offered - fuzz_fields.NOT_FIELDS


@pytest.fixture(scope="module", autouse=True)
def hypothesis_home(tmp_path_factory):
    """Hypothesis keeps a cache of the constants in our source: in a temporary folder, not a
    .hypothesis folder in the checkout."""
    set_hypothesis_home_dir(tmp_path_factory.mktemp("hypothesis"))
    yield
    set_hypothesis_home_dir(None)


@pytest.fixture(scope="module", autouse=True)
def figures(request):
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    line = (
        f"fuzz: {len(FIGURES['endpoints'])} endpoints, {FIGURES['requests']} requests, "
        f"{FIGURES['seconds']:.1f} s asking"
    )
    if reporter:
        reporter.write_line(line)
    print(line)


def test_every_field_a_page_offers_is_fuzzed(fields):
    per_endpoint, offered = fields
    fuzzed = set().union(*per_endpoint.values())
    assert offered, "the pages offered no fields at all: the crawl found nothing"
    assert sorted(offered - fuzzed) == []


@dataclass
class Ask:
    method: str
    path: str
    query: MultiDict
    data: MultiDict | bytes | None = None
    headers: dict = field(default_factory=dict)
    content_type: str | None = None


ARG = re.compile(r"<(?:(\w+)(?:\([^>]*\))?:)?(\w+)>")


def _arg_values(rule, name: str, real):
    converter = rule._converters[name]
    if isinstance(converter, IntegerConverter):
        hostile = fuzz_values.NUMBERS
    elif converter.__class__.__name__ == "AnyConverter":
        return st.just(str(real))
    else:
        hostile = fuzz_values.TEXT | fuzz_values.WORDS
    return st.one_of(st.just(str(real)), st.just(str(real)), hostile)


def _path(rule, draw, world_, access, role) -> str:
    values, _ = url_values(rule, access, world_, role)

    def fill(match):
        name = match.group(2)
        value = draw(_arg_values(rule, name, values[name]))
        safe = "/" if isinstance(rule._converters[name], PathConverter) else ""
        return quote(value, safe=safe)

    return ARG.sub(fill, rule.rule)


def _pairs(draw, names: list[str], values) -> MultiDict:
    """Some of the names, each once or more (a key sent twice), and now and then a stray one."""
    chosen = draw(st.lists(st.sampled_from(names), max_size=6)) if names else []
    chosen += draw(st.lists(fuzz_values.TEXT.filter(bool), max_size=1))
    return MultiDict([(name, draw(values)) for name in chosen])


def _body(draw, endpoint, form_names, values) -> tuple:
    if endpoint in JSON_BODY:
        return draw(fuzz_values.json_texts(form_names)).encode(), "application/json"
    form = _pairs(draw, form_names, values)
    if endpoint in JSON_FIELD:
        form.add(JSON_FIELD[endpoint], draw(fuzz_values.json_texts([])))
    encoding = draw(st.sampled_from(["form", "form", "multipart", "json"]))
    if encoding == "json":
        return json.dumps(form.to_dict(flat=False)).encode(), "application/json"
    if encoding == "multipart":
        for name in draw(st.lists(st.sampled_from(form_names), max_size=2)) if form_names else []:
            form.add(name, draw(fuzz_values.FILE_PART))  # a file where text is expected
        return form, "multipart/form-data"
    return form, None


@st.composite
def asks(draw, endpoint, rule, access, names, world_):
    role = draw(st.sampled_from(roles_for(access)))
    method = draw(st.sampled_from(methods_of(rule)))
    header_names = sorted(names & fuzz_fields.HEADER_FIELDS)
    form_names = sorted(names - fuzz_fields.HEADER_FIELDS)
    known = [str(v) for v in world_.values.values()]
    values = fuzz_values.VALUES | st.sampled_from(known) if known else fuzz_values.VALUES
    ask = Ask(method, _path(rule, draw, world_, access, role), _pairs(draw, form_names, values))
    ask.headers = {**access.headers, **access.secret_headers}
    for name in draw(st.lists(st.sampled_from(header_names), max_size=3)) if header_names else []:
        ask.headers[name] = draw(fuzz_values.HEADER_VALUES)
    if access.hx or draw(st.booleans()):
        ask.headers["HX-Request"] = "true"
    if method in UNSAFE:
        if method == "PATCH":
            ask.data = draw(st.binary(max_size=64))
        else:
            ask.data, ask.content_type = _body(draw, endpoint, form_names, values)
    return role, ask


def send(asker, ask: Ask):
    headers = dict(ask.headers)
    if ask.method in UNSAFE:
        headers["X-CSRFToken"] = asker.token()
    started = time.perf_counter()
    answer = asker.client.open(
        ask.path,
        method=ask.method,
        query_string=ask.query,
        data=ask.data,
        headers=headers,
        content_type=ask.content_type,
    )
    FIGURES["seconds"] += time.perf_counter() - started
    FIGURES["requests"] += 1
    return answer


def judge(answer, ask: Ask) -> None:
    body = answer.get_data()
    where = f"{ask.method} {ask.path[:200]}"
    assert answer.status_code < 500, f"{where}: {answer.status_code}"
    assert b"Traceback" not in body, f"{where}: a stack trace in the answer"


@pytest.mark.parametrize("endpoint", FUZZED)
def test_fuzzed_input_is_never_a_server_error(matrix_app, fields, world, askers, endpoint):
    access, rule = TABLE[endpoint], rules_by_endpoint(matrix_app)[endpoint]
    names = fields[0].get(endpoint, set())
    FIGURES["endpoints"].add(endpoint)

    @FUZZ
    @given(asks(endpoint, rule, access, names, world))
    def ask_anything(asked):
        role, ask = asked
        askers[role].enter(world)  # signed in again: the last example may have signed out
        judge(send(askers[role], ask), ask)

    ask_anything()


def test_fuzzing_the_setup_form_is_never_a_server_error(matrix_app, fields, browsers):
    """Before an owner exists: the one time /setup takes a form."""
    empty(matrix_app)
    rule = rules_by_endpoint(matrix_app)["setup.index"]
    nobody, access = World(), TABLE["setup.index"]
    names = fields[0].get("setup.index", set())
    FIGURES["endpoints"].add("setup.index")
    asker = browsers[ANONYMOUS]

    @FUZZ
    @given(asks("setup.index", rule, access, names, nobody))
    def ask_anything(asked):
        _, ask = asked
        asker.enter(nobody)
        judge(send(asker, ask), ask)

    try:
        ask_anything()
    finally:
        empty(matrix_app)


NAMELESS = b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n"


@pytest.mark.parametrize("role", [ANONYMOUS, ADMIN])
def test_a_form_part_without_a_name_is_a_plain_400_everywhere(matrix_app, world, askers, role):
    """What the fuzz found first: Flask-WTF read a nameless part's name as text and failed."""
    asker, asked = askers[role], 0
    for endpoint, access in TABLE.items():
        rule = rules_by_endpoint(matrix_app).get(endpoint)
        if access.cls == SOCKET or "POST" not in rule.methods:
            continue
        values, _ = url_values(rule, access, world, role)
        url = build_url(matrix_app, endpoint, values, access.query, world, role)
        headers = {"X-CSRFToken": asker.token(), **access.secret_headers}
        answer = asker.client.post(
            url, data=NAMELESS, content_type="multipart/form-data; boundary=b", headers=headers
        )
        assert answer.status_code in (400, 403, 413), (url, answer.status_code)
        assert b"Traceback" not in answer.get_data()
        asked += 1
    assert asked > 80


def one_nul_at_a_time(app, fields_, world_):
    """(role, Ask) for each field of each endpoint holding a NUL byte, the rest left out."""
    rules = rules_by_endpoint(app)
    for endpoint in FUZZED:
        access, rule = TABLE[endpoint], rules[endpoint]
        role = roles_for(access)[-1]
        values, _ = url_values(rule, access, world_, role)
        path = build_url(app, endpoint, values, {}, world_, role)
        for name in sorted(fields_.get(endpoint, set()) - fuzz_fields.HEADER_FIELDS):
            for method in methods_of(rule):
                sent = MultiDict({**access.data, name: "a\x00b"})
                ask = Ask(method, path, sent if method == "GET" else MultiDict(access.query))
                ask.headers = {**access.headers, **access.secret_headers}
                if method in UNSAFE and method != "PATCH":
                    ask.data = sent
                yield role, ask


def test_a_nul_byte_in_any_field_is_never_a_server_error(matrix_app, fields, world, askers):
    """PostgreSQL refuses NUL in text: each field gets one, so a view that hands it to a query
    is found even where the made-up examples never put it."""
    problems, asked = [], 0
    for role, ask in one_nul_at_a_time(matrix_app, fields[0], world):
        askers[role].enter(world)
        try:
            judge(send(askers[role], ask), ask)
        except AssertionError as failed:
            sent = list(ask.query.items()) or list(ask.data.items())
            problems.append(f"{str(failed).splitlines()[0]} with {sent}")
        asked += 1
    assert not problems, "\n".join(problems)
    assert asked > 250
