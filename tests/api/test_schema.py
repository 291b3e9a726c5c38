"""The OpenAPI description: for signed-in callers only, rendered once per format and language,
JSON bodies only, and a client generated from it the way a department's developers would
(openapi-python-client) imports and talks to the API.

Anonymous callers could ask for the megabyte of YAML as often as they liked (a second of CPU
each; six at once stalled the login page), and the generated client did not import: every
operation declared JSON, form and multipart bodies, and the generated code broke on the union.
"""

import importlib
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command
from django.utils import timezone
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from knox.models import AuthToken

from core.api import SchemaApi
from tests.conftest import HOME_VILLAGE, client_for
from tests.idgen import make_id_number

pytestmark = pytest.mark.django_db

CLIENT_PACKAGE = "dixian_client"


def test_anonymous_callers_get_401_not_the_schema(client):
    for url in ("/api/schema/", "/api/schema/?format=json", "/api/schema/?format=yaml"):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response["Content-Type"] == "application/json"
        assert response.json()["errors"][0]["code"] == "not_authenticated"


def test_the_docs_page_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get("/api/docs/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_schema_is_rendered_once_per_format(monkeypatch, village_worker):
    renders = []
    for renderer in (OpenApiYamlRenderer, OpenApiJsonRenderer):
        original = renderer.render

        def counted(self, *args, original=original, **kwargs):
            renders.append(type(self).format)
            return original(self, *args, **kwargs)

        monkeypatch.setattr(renderer, "render", counted)
    monkeypatch.setattr(SchemaApi, "_rendered", {})
    client = client_for(village_worker)
    answers = [client.get("/api/schema/" + query) for query in ("", "", "?format=json") * 2]
    assert [answer.status_code for answer in answers] == [200] * 6
    assert answers[0].content == answers[1].content == answers[3].content
    assert answers[0]["Content-Type"] == "application/vnd.oai.openapi; charset=utf-8"
    assert answers[2].json()["openapi"].startswith("3.")
    assert renders == ["yaml", "json"]


# A file is uploaded as multipart, and only a file: those bodies are multipart and nothing else.
FILE_UPLOADS = {"POST /api/v1/evidence/{kind}/{owner_id}/": ["multipart/form-data"]}


def test_every_request_body_is_json_only(village_worker):
    schema = client_for(village_worker).get("/api/schema/?format=json").json()
    bodies = {
        f"{method.upper()} {path}": sorted(operation["requestBody"]["content"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    }
    assert bodies
    others = {key: types for key, types in bodies.items() if types != ["application/json"]}
    assert others == FILE_UPLOADS


def test_a_form_body_is_refused_with_415(township_cadre):
    response = client_for(township_cadre).post(
        "/api/v1/households/", {"village": HOME_VILLAGE, "poverty_status": "ordinary"}
    )
    assert response.status_code == 415
    assert response.json()["errors"][0]["code"] == "unsupported_media_type"


# A generated client ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The package openapi-python-client makes of `manage.py spectacular`'s schema, imported."""
    folder = tmp_path_factory.mktemp("openapi-client")
    schema = folder / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(schema))
    generator = Path(sys.executable).with_name("openapi-python-client")
    subprocess.run(
        [generator, "generate", "--path", schema, "--meta", "none"]
        + ["--output-path", folder / CLIENT_PACKAGE],
        check=True,
        capture_output=True,
        cwd=folder,
    )
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(CLIENT_PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.split(".")[0] == CLIENT_PACKAGE]:
            del sys.modules[name]


def api_client(generated, wsgi_app, user):
    token = AuthToken.objects.create(user)[1]
    return generated.AuthenticatedClient(
        base_url="http://testserver",
        token=token,
        prefix="Token",
        httpx_args={"transport": httpx.WSGITransport(app=wsgi_app)},
    )


def operation(generated, name: str):
    return importlib.import_module(f"{CLIENT_PACKAGE}.api.v1.{name}")


def test_the_generated_client_imports_every_operation(generated):
    folder = Path(generated.__file__).parent / "api" / "v1"
    names = sorted(path.stem for path in folder.glob("v1_*.py"))
    assert len(names) > 60
    for name in names:
        operation(generated, name)
    # A filter's label ("脱贫状态") named its enum's class once.
    models = Path(generated.__file__).parent / "models"
    assert [path.name for path in models.iterdir() if not path.name.isascii()] == []


def test_the_generated_client_reads_and_writes(generated, wsgi_app, township_cadre, household):
    client = api_client(generated, wsgi_app, township_cadre)
    models = importlib.import_module(f"{CLIENT_PACKAGE}.models")

    page = operation(generated, "v1_households_list").sync(client=client, page_size=10)
    assert [row.number for row in page.results] == [household.number]

    one = operation(generated, "v1_households_retrieve").sync(id=household.pk, client=client)
    assert one.number == household.number
    assert one.phone != household.phone  # masked

    created = operation(generated, "v1_members_create").sync_detailed(
        client=client,
        body=models.MemberWriteRequest(
            household=household.pk,
            name="张小明",
            id_number=make_id_number("620423", "20100405", 5),
            relation=models.RelationEnum("child"),
            labour=models.LabourEnum("none"),
            education=models.EducationEnum("primary"),
        ),
    )
    assert created.status_code == 201
    assert created.parsed.name == "张小明"
    assert household.members.filter(name="张小明").exists()

    visit = operation(generated, "v1_visits_create").sync_detailed(
        client=client,
        body=models.VisitRequest(
            client_uuid=uuid.uuid4(),
            household=household.pk,
            visited_on=timezone.localdate(),
            household_size=3,
            wage_income="12000.00",
            business_income="0.00",
            property_income="0.00",
            transfer_income="2400.00",
            medical_spending="0.00",
            education_spending="0.00",
            disaster_loss="0.00",
            food_clothing_ok=True,
            compulsory_education_ok=True,
            basic_medical_ok=True,
            safe_housing_ok=True,
            safe_water_ok=True,
        ),
    )
    assert visit.status_code == 201, visit.content
    assert household.visits.count() == 1


def test_the_generated_client_reads_a_validation_error(
    generated, wsgi_app, township_cadre, household
):
    client = api_client(generated, wsgi_app, township_cadre)
    models = importlib.import_module(f"{CLIENT_PACKAGE}.models")
    refused = operation(generated, "v1_members_create").sync_detailed(
        client=client,
        body=models.MemberWriteRequest(
            household=household.pk,
            name="张小明",
            id_number="620423201004050000",  # a wrong check digit
            relation=models.RelationEnum("child"),
            labour=models.LabourEnum("none"),
            education=models.EducationEnum("primary"),
        ),
    )
    assert refused.status_code == 400
    assert isinstance(refused.parsed, models.V1MembersCreateValidationError)
    assert [error.attr for error in refused.parsed.errors] == ["id_number"]
    assert household.members.count() == 2
