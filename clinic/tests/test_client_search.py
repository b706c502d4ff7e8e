import pytest

from clinic.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/clients/"


def ids(response):
    assert response.status_code == 200
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def ada(world):
    # The world's generated names and addresses could hold a search term ("Eric Adams" has "Ada").
    for record, (first, last) in ((world.client, ("Bea", "Curie")), (world.other_client, ("Cy", "Darwin"))):
        record.first_name, record.last_name = first, last
        record.email, record.phone = f"{first.lower()}@example.test", "+15550100"
        record.save()
    return ClientFactory(first_name="Ada", last_name="Lovelace", email="ada@engines.test", phone="+441234567")


@pytest.mark.parametrize("term", ["Ada", "lovelace", "Ada Lovelace", "engines.test", "1234567"])
def test_search_by_name_email_and_phone(world, api, ada, term):
    assert ids(api(world.staff).get(URL, {"search": term})) == [ada.pk]


def test_search_does_not_reach_clinical_text(world, api, ada):
    assert ids(api(world.staff).get(URL, {"search": "allergies"})) == []


def test_search_stays_within_the_callers_records(world, api, ada):
    assert ids(api(world.doctor).get(URL, {"search": "Ada"})) == []


def test_filter_by_assigned_doctor(world, api, ada):
    response = api(world.admin).get(URL, {"assigned_doctor": world.other_doctor.pk})

    assert ids(response) == [world.other_client.pk]


def test_ordering(world, api):
    first = ClientFactory(last_name="Aaronson", first_name="Zed")
    last = ClientFactory(last_name="Zzyzx", first_name="Amy")

    ascending = ids(api(world.admin).get(URL, {"ordering": "last_name"}))
    descending = ids(api(world.admin).get(URL, {"ordering": "-last_name"}))

    assert ascending[0] == first.pk
    assert ascending[-1] == last.pk
    assert descending == list(reversed(ascending))
    assert ids(api(world.admin).get(URL, {"ordering": "-id"}))[0] == last.pk


def test_archived_records_leave_lists_search_and_detail(world, api, ada):
    ada.is_archived = True
    ada.save()

    assert set(ids(api(world.admin).get(URL))) == {world.client.pk, world.other_client.pk}
    assert ids(api(world.admin).get(URL, {"search": "Ada"})) == []
    response = api(world.admin).get(f"{URL}{ada.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_paths_answer_with_and_without_trailing_slash(world, api):
    assert api(world.admin).get(f"{URL}{world.client.pk}/").status_code == 200
    assert api(world.admin).get(f"{URL}{world.client.pk}").status_code == 200
    assert api(world.admin).get("/api/v1/clients").status_code == 200


@pytest.mark.parametrize("role", ["admin", "doctor"])
def test_list_query_count_does_not_grow_with_the_page(world, api, django_assert_max_num_queries, role):
    ClientFactory.create_batch(3, assigned_doctor=world.doctor)
    with django_assert_max_num_queries(2):
        assert len(ids(api(world.user(role)).get(URL, {"limit": 100}))) >= 3

    ClientFactory.create_batch(27, assigned_doctor=world.doctor)
    with django_assert_max_num_queries(2):
        assert len(ids(api(world.user(role)).get(URL, {"limit": 100}))) >= 30
