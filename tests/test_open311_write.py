"""Open311 both ways: the city posts a case (XML or JSON), reads it back, and follows it to the grid worker's 完成."""
import json

import pytest
import xmltodict

from bot.store.models import Ticket, TicketEvent
from tests.conversation import rows
from tests.desk import API_KEY, add_api_key

GRID1 = "o_demo_grid1_li"
XML_CASE = """<?xml version="1.0" encoding="utf-8"?>
<request>
  <service_code>leak</service_code>
  <description>市民来电：楼顶漏水，家里天花板滴水，联系电话13812345678</description>
  <address_string>幸福苑3号楼2单元</address_string>
  <first_name>桂芳</first_name><last_name>刘</last_name><phone>13812345678</phone>
</request>"""



@pytest.fixture(autouse=True)
def _no_pubsub(monkeypatch):
    """The in-test worker needs no commands over pub/sub, and RQ's pub/sub thread may take 60 s to stop (rq/rq#1613)."""
    from rq import SimpleWorker

    monkeypatch.setattr(SimpleWorker, "subscribe", lambda self: None)

@pytest.fixture
def city(client, runtime):
    """A city platform's Open311 client with its key."""
    add_api_key(runtime)

    class City:
        headers = {"X-Api-Key": API_KEY}

        def post_xml(self, body: str):
            return client.post("/open311/v2/requests.xml", data=body.encode("utf-8"), content_type="text/xml",
                               headers=self.headers)

        def post_json(self, body: dict):
            return client.post("/open311/v2/requests.json", data=json.dumps(body), content_type="application/json",
                               headers=self.headers)

        def get(self, path: str, **args):
            return client.get(f"/open311/v2/{path}", query_string=args, headers=self.headers)

        def xml(self, path: str):
            answer = self.get(path)
            assert answer.mimetype == "text/xml", answer.data
            return xmltodict.parse(answer.data)

    return City()


def test_a_case_posted_in_xml_and_in_json_is_read_back_and_followed_to_the_fix(city, wechat, runtime, fake_wechat):
    posted = city.post_xml(XML_CASE)
    assert posted.status_code == 201, posted.data
    made = xmltodict.parse(posted.data)["service_requests"]["request"]
    number, token = made["service_request_id"], made["token"]

    answer = city.post_json({"service_code": "lighting", "description": "7号楼楼道灯坏了一周", "source": "12345",
                             "address_string": "幸福苑7号楼", "external_id": "BJ12345-0001"})
    assert answer.status_code == 201, answer.json
    (json_made,) = answer.json
    again = city.post_json({"service_code": "lighting", "description": "7号楼楼道灯坏了一周", "source": "12345",
                            "address_string": "幸福苑7号楼", "external_id": "BJ12345-0001"})
    assert again.status_code == 200 and again.json[0]["service_request_id"] == json_made["service_request_id"]
    assert wechat.ticket_count() == 2  # the city's retry is the same ticket

    # Routed like a resident's report of that place: the grid worker gets the task.
    wechat.run_jobs()
    leak, light = rows(runtime, Ticket)
    assert (leak.source, leak.grid_id, leak.building, leak.unit) == ("open311", "grid-1", "3", "2")
    assert (light.source, light.grid_id) == ("12345", "grid-2")
    assert leak.text.startswith("市民来电：楼顶漏水") and "地址：幸福苑3号楼2单元" in leak.text
    assert any(number in text for text in fake_wechat.texts_to(GRID1))
    handed = [e for e in rows(runtime, TicketEvent, TicketEvent.ticket_id == leak.id) if e.kind == "handed_down"]
    assert handed[0].detail["contact"] == {"first_name": "桂芳", "last_name": "刘", "phone": "13812345678"}

    # Read back, both formats, by id and by token; no personal data.
    read = city.xml(f"requests/{number}.xml")["service_requests"]["request"]
    assert read["service_request_id"] == number and read["status"] == "open" and read["service_code"] == "leak"
    assert "13812345678" not in json.dumps(read, ensure_ascii=False) and "桂芳" not in str(read)
    (as_json,) = city.get(f"requests/{number}.json").json
    assert as_json["description"] == read["description"] and as_json["address"] == "幸福里社区幸福苑3号楼"
    assert city.get(f"tokens/{token}.json").json == [{"service_request_id": number, "token": token}]
    assert city.xml(f"tokens/{token}.xml")["service_requests"]["request"]["service_request_id"] == number
    assert city.get("tokens/nothing-here.json").status_code == 404

    # The grid worker's 完成: the city sees it closed, with the note as status_notes.
    wechat.say(f"接单 {number}", sender=GRID1)
    wechat.say(f"完成 {number} 已请物业重做楼顶防水，电话13900001111", sender=GRID1)
    (done,) = city.get(f"requests/{number}.json").json
    assert done["status"] == "closed" and done["status_notes"].startswith("已请物业重做楼顶防水")
    assert "13900001111" not in done["status_notes"]
    listed = city.xml("requests.xml")["service_requests"]["request"]
    assert {r["service_request_id"]: r["status"] for r in listed} == {
        number: "closed", json_made["service_request_id"]: "open"}


def test_a_form_post_as_the_spec_writes_it(client, city, runtime):
    form = {"api_key": API_KEY, "service_code": "elevator", "description": "5号楼电梯停了", "lat": "39.9",
            "long": "116.4", "address_string": "幸福苑5号楼", "attribute[trapped]": "no", "attribute[floor]": "6"}
    answer = client.post("/open311/v2/requests.json", data=form)
    assert answer.status_code == 201, answer.json
    (ticket,) = rows(runtime, Ticket)
    assert ticket.building == "5" and "是否有人被困：无人被困\n电梯停在几层：6" in ticket.text


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_validation_errors_are_the_specs_list_of_code_and_description(city, wechat, fmt):
    answer = (city.post_json({"description": ""}) if fmt == "json" else
              city.post_xml("<request><service_code>elevator</service_code><description>电梯坏了</description>"
                            "<address_string>幸福苑8号楼</address_string>"
                            "<attribute><trapped>maybe</trapped><floor>六层</floor></attribute></request>"))
    assert answer.status_code == 400
    found = (answer.json if fmt == "json" else
             xmltodict.parse(answer.data, force_list=("error",))["errors"]["error"])
    assert all(set(e) == {"code", "description"} and int(e["code"]) == 400 for e in found)
    said = " ".join(e["description"] for e in found)
    if fmt == "json":
        assert "service_code is required" in said and "description is required" in said and "location" in said
    else:
        assert "attribute[trapped]" in said and "maybe" in said and "attribute[floor]: a number expected" in said
    assert wechat.ticket_count() == 0


def test_a_required_question_unanswered_and_a_body_that_is_no_request(city, wechat):
    missing = city.post_json({"service_code": "elevator", "description": "电梯坏了", "address_string": "幸福苑8号楼"})
    assert missing.status_code == 400 and "attribute[trapped] is required: 是否有人被困" in missing.json[0]["description"]
    entity = city.post_xml('<!DOCTYPE r [<!ENTITY x "y">]><request><service_code>&x;</service_code></request>')
    assert entity.status_code == 400 and xmltodict.parse(entity.data)["errors"]["error"]["code"] == "400"
    assert city.post_json({"service_code": "leak", "description": "漏水", "address_string": "x",
                           "source": "weibo"}).status_code == 400
    assert wechat.ticket_count() == 0


def test_writes_need_a_key(client, runtime):
    add_api_key(runtime)
    body = {"service_code": "leak", "description": "漏水", "address_string": "幸福苑3号楼"}
    assert client.post("/open311/v2/requests.json", json=body).status_code == 401
    refused = client.post("/open311/v2/requests.xml", json=body, headers={"X-Api-Key": "mh_guess"})
    assert refused.status_code == 403 and b"<errors><error><code>403</code>" in refused.data


def test_discovery_service_definitions_and_services_in_both_formats(client, city):
    found = client.get("/open311/v2/discovery.json").json
    (endpoint,) = found["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"} and endpoint["url"].endswith("/open311/v2/")
    assert xmltodict.parse(client.get("/open311/v2/discovery.xml").data)["discovery"]["endpoints"]["endpoint"]
    elevator = city.xml("services/elevator.xml")["service_definition"]
    trapped, floor = elevator["attributes"]["attribute"]
    assert trapped["code"] == "trapped" and trapped["required"] == "true" and floor["datatype"] == "number"
    assert [v["key"] for v in trapped["values"]["value"]] == ["yes", "no"]
    assert city.get("services/leak.json").json == {"service_code": "leak", "attributes": []}
    assert city.get("services/nothing.json").status_code == 404
    services = city.xml("services.xml")["services"]["service"]
    assert len(services) == 15 and {s["service_code"]: s["metadata"] for s in services}["elevator"] == "true"
