"""Open311 GeoReport v2 for city systems: a key is required, the fields are the spec's, no personal data."""
import pytest

from tests.desk import API_KEY, add_api_key, open_ticket

SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}
PATHS = ["/open311/v2/services.json", "/open311/v2/requests.json", "/open311/v2/requests/100001.json"]


@pytest.fixture
def city(client, runtime):
    add_api_key(runtime)
    return lambda path, **args: client.get(path, query_string=args, headers={"X-Api-Key": API_KEY})


@pytest.mark.parametrize("path", PATHS)
def test_no_key_no_data(client, runtime, path):
    open_ticket(runtime)
    assert client.get(path).status_code == 401
    wrong = client.get(path, headers={"X-Api-Key": "mh_guess"})
    assert wrong.status_code == 403 and wrong.json == [{"code": 403, "description": "invalid api_key"}]


def test_services_are_the_categories(city):
    services = city("/open311/v2/services.json").json
    assert len(services) == 15 and all(set(s) == SERVICE_FIELDS for s in services)
    leak = next(s for s in services if s["service_code"] == "leak")
    assert leak["service_name"] == "漏水渗水" and leak["metadata"] is False and leak["type"] == "realtime"


def test_requests_have_the_spec_fields_and_no_personal_data(city, runtime):
    t = open_ticket(runtime, "3号楼2单元501室楼顶漏水，电话13812345678", room="501",
                    resident="o_secret_openid")
    (request,) = city("/open311/v2/requests.json").json
    assert set(request) == REQUEST_FIELDS
    assert request["service_request_id"] == t.number and request["status"] == "open"
    assert request["service_code"] == "leak" and request["agency_responsible"] == "第一网格"
    assert request["address"] == "幸福里社区幸福苑3号楼"
    assert request["requested_datetime"].endswith("+08:00")
    text = str(request)
    assert "13812345678" not in text and "501" not in text and "o_secret_openid" not in text
    assert "李建国" not in text  # staff names stay inside too
    assert city(f"/open311/v2/requests/{t.number}.json", api_key=API_KEY).json == [request]
    assert city("/open311/v2/requests/999999.json").status_code == 404


@pytest.mark.parametrize("said, hidden", [("我家楼上602天天往下渗水", "602"), ("3-502门口的灯坏了", "502"),
                                          ("五零一的水管漏了", "五零一"), ("邮箱 wang.ayi@example.com", "wang.ayi"),
                                          ("身份证11010519491231002X", "19491231")])
def test_room_numbers_phones_and_mail_are_masked_in_any_form(city, runtime, said, hidden):
    open_ticket(runtime, said)
    (request,) = city("/open311/v2/requests.json").json
    assert hidden not in request["description"] and "***" in request["description"]


def test_requests_filter_by_status_code_id_and_dates(city, runtime):
    leak = open_ticket(runtime, "楼顶漏水", "leak", "3")
    light = open_ticket(runtime, "灯坏了", "lighting", "7")
    old = open_ticket(runtime, "很久以前", "parking", "5", days_ago=120)

    def ids(**args):
        return [r["service_request_id"] for r in city("/open311/v2/requests.json", **args).json]

    assert ids() == [light.number, leak.number]  # the last 90 days, newest first
    assert ids(service_code="lighting") == [light.number]
    assert ids(service_request_id=f"{leak.number},{old.number}") == [old.number, leak.number]
    assert ids(status="closed") == [] and len(ids(status="open")) == 2
    assert ids(start_date="2000-01-01T00:00:00Z", end_date="2000-02-01T00:00:00Z") == []
    assert city("/open311/v2/requests.json", start_date="yesterday").status_code == 400
    assert city("/open311/v2/requests.json", start_date="2000-01-01", end_date="2001-01-01").status_code == 400
    assert city("/open311/v2/requests.json", status="lost").status_code == 400


@pytest.mark.parametrize("said, hidden, kept", [
    ("我叫刘桂芳，住9号楼3单元502室，楼道灯坏了", ["刘桂芳", "3单元", "502"], ["9号楼", "楼道灯坏了"]),
    ("我是王阿姨 3号楼二单元的 楼顶漏水", ["王阿姨", "二单元"], ["3号楼", "楼顶漏水"]),
    ("我是刘桂芳，家里停水了", ["刘桂芳"], ["家里停水了"]),
    ("联系人：张建华 9栋门口垃圾没人收", ["张建华"], ["9栋门口垃圾没人收"]),
    ("我姓赵，电梯又坏了，找过物业李经理没用", ["赵", "李经理"], ["电梯又坏了", "物业"]),
])
def test_names_and_units_are_masked_so_the_place_stops_at_the_building(city, runtime, said, hidden, kept):
    open_ticket(runtime, said)
    (request,) = city("/open311/v2/requests.json").json
    assert not [word for word in hidden if word in request["description"]], request["description"]
    assert all(word in request["description"] for word in kept) and "*" in request["description"]


@pytest.mark.parametrize("said", ["我是3号楼的业主，楼顶漏水", "我是楼上的住户，楼道灯坏了", "我是高层住户，水压太低"])
def test_who_a_resident_says_they_are_is_not_taken_for_a_name(city, runtime, said):
    open_ticket(runtime, said)
    (request,) = city("/open311/v2/requests.json").json
    assert request["description"] == said


@pytest.mark.parametrize("said, hidden, kept", [
    ("我的名字是刘桂芳，楼道灯坏了", ["刘桂芳"], ["楼道灯坏了"]),
    ("本人刘桂芳，3号楼楼顶漏水", ["刘桂芳"], ["3号楼楼顶漏水"]),
    ("3号楼楼顶漏水，白天家里没人，联系我妻子王丽", ["王丽"], ["3号楼楼顶漏水", "联系我妻子"]),
    ("楼道灯坏了，电话 138\u300012\u300034\u300056\u300078", ["12", "34", "56", "78"], ["楼道灯坏了"]),
    ("楼道灯坏了，电话壹叁捌壹贰叁肆伍陆柒捌", ["壹贰叁肆", "伍陆柒捌"], ["楼道灯坏了"]),
    ("楼道灯坏了，电话①③⑧①②③④⑤⑥⑦⑧", ["①②③④", "⑤⑥⑦⑧"], ["楼道灯坏了"]),
    ("楼道灯坏了，电话13八1二3四5六7八", ["1二3四", "5六7八"], ["楼道灯坏了"]),
    ("3栋502号卫生间漏水", ["502"], ["3栋", "卫生间漏水"]),
    ("楼道灯坏了，加我微信 wxid_k2l9x0qq31", ["wxid", "k2l9x0qq31"], ["楼道灯坏了"]),
])
def test_the_issue_examples_leave_no_name_number_room_or_wechat_id(city, runtime, said, hidden, kept):
    open_ticket(runtime, said)
    (request,) = city("/open311/v2/requests.json").json
    description = request["description"]
    assert not [word for word in hidden if word in description], description
    assert all(word in description for word in kept) and "*" in description, description
