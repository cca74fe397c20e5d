"""The media store: the data folder or an S3-compatible bucket, one small interface, keys that never escape."""
import pytest
from click.testing import CliRunner

from bot.store import blobs
from bot.errors import ConfigError
from bot.settings import Secrets
from tests.s3 import bucket, keys_in, s3_admin, s3_server  # noqa: F401 (fixtures)

ESCAPES = ["../x.jpg", "1/../../x.jpg", "/etc/passwd", "1/..", "..", "1\\..\\x", "", "1//2.jpg", ".hidden",
           "1/.x", "1/2.jpg\x00", "C:/x"]


def place(**env):
    return blobs.s3_place(Secrets.from_env(env))


def s3_blobs(s3_server, bucket, prefix=""):
    from bot.store.blobs_s3 import S3Blobs

    return S3Blobs(place(MINHU_MEDIA_S3_BUCKET=bucket, MINHU_MEDIA_S3_ENDPOINT=s3_server, MINHU_MEDIA_S3_PREFIX=prefix,
                         AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing"))


def test_the_folder_keeps_bytes_under_a_key_and_refuses_keys_leading_outside(tmp_path):
    store = blobs.FolderBlobs(tmp_path / "media")
    store.put("100001/7.jpg", b"photo", "image/jpeg")
    assert store.get("100001/7.jpg") == b"photo" and store.exists("100001/7.jpg")
    assert store.open("100001/7.jpg").source == (tmp_path / "media" / "100001" / "7.jpg").resolve()
    assert not list((tmp_path / "media" / "100001").glob("*.part"))  # written beside itself, then renamed
    (tmp_path / "secret.txt").write_text("not evidence")
    for key in ESCAPES + ["../secret.txt"]:
        with pytest.raises(blobs.BadKey):
            store.put(key, b"x", "image/jpeg")
        assert store.get(key) is None and store.open(key) is None and not store.exists(key)
    assert store.get("100001/8.jpg") is None and not store.exists("100001/8.jpg")


def test_a_symlink_out_of_the_folder_is_not_followed(tmp_path):
    (tmp_path / "media").mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "x.jpg").write_bytes(b"outside")
    (tmp_path / "media" / "9").symlink_to(tmp_path / "outside")
    store = blobs.FolderBlobs(tmp_path / "media")
    assert store.get("9/x.jpg") is None and store.open("9/x.jpg") is None


def test_no_bucket_means_the_data_folder():
    assert place() is None


@pytest.mark.parametrize("env, named", [
    ({"MINHU_MEDIA_S3_ENDPOINT": "http://127.0.0.1:9000"}, "MINHU_MEDIA_S3_BUCKET"),
    ({"MINHU_MEDIA_S3_BUCKET": "Bad_Bucket", "MINHU_MEDIA_S3_REGION": "x", "AWS_ACCESS_KEY_ID": "a",
      "AWS_SECRET_ACCESS_KEY": "SEKRIT"}, "MINHU_MEDIA_S3_BUCKET"),
    ({"MINHU_MEDIA_S3_BUCKET": "evidence", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "SEKRIT"},
     "MINHU_MEDIA_S3_REGION"),
    ({"MINHU_MEDIA_S3_BUCKET": "evidence", "MINHU_MEDIA_S3_ENDPOINT": "oss-cn-hangzhou.aliyuncs.com",
      "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "SEKRIT"}, "MINHU_MEDIA_S3_ENDPOINT"),
    ({"MINHU_MEDIA_S3_BUCKET": "evidence", "MINHU_MEDIA_S3_ENDPOINT": "http://127.0.0.1:9000",
      "AWS_SECRET_ACCESS_KEY": "SEKRIT"}, "MINHU_MEDIA_S3_ACCESS_KEY_ID: not set (nor AWS_ACCESS_KEY_ID)"),
    ({"MINHU_MEDIA_S3_BUCKET": "evidence", "MINHU_MEDIA_S3_ENDPOINT": "http://127.0.0.1:9000",
      "MINHU_MEDIA_S3_ACCESS_KEY_ID": "SEKRIT"}, "MINHU_MEDIA_S3_SECRET_ACCESS_KEY: not set (nor AWS_SECRET_ACCESS_KEY)"),
    ({"MINHU_MEDIA_S3_BUCKET": "evidence", "MINHU_MEDIA_S3_ENDPOINT": "http://127.0.0.1:9000", "AWS_ACCESS_KEY_ID": "a",
      "AWS_SECRET_ACCESS_KEY": "SEKRIT", "MINHU_MEDIA_S3_ADDRESSING_STYLE": "dns"}, "MINHU_MEDIA_S3_ADDRESSING_STYLE"),
    ({"MINHU_MEDIA_S3_BUCKET": "evidence", "MINHU_MEDIA_S3_ENDPOINT": "http://127.0.0.1:9000", "AWS_ACCESS_KEY_ID": "a",
      "AWS_SECRET_ACCESS_KEY": "SEKRIT", "MINHU_MEDIA_S3_PREFIX": "minhu/../other"}, "MINHU_MEDIA_S3_PREFIX"),
])
def test_a_wrong_bucket_setting_is_named_without_its_secret(env, named):
    with pytest.raises(ConfigError) as refused:
        place(**env)
    assert named in str(refused.value) and "SEKRIT" not in str(refused.value)


def test_minhus_own_keys_win_over_the_standard_names():
    found = place(MINHU_MEDIA_S3_BUCKET="evidence", MINHU_MEDIA_S3_ENDPOINT="https://cos.ap-shanghai.myqcloud.com/",
                  MINHU_MEDIA_S3_ACCESS_KEY_ID="mine", MINHU_MEDIA_S3_SECRET_ACCESS_KEY="mine-secret",
                  AWS_ACCESS_KEY_ID="other", AWS_SECRET_ACCESS_KEY="other-secret", MINHU_MEDIA_S3_PREFIX="/minhu/")
    assert (found.access_key_id, found.secret_access_key) == ("mine", "mine-secret")
    assert found.endpoint == "https://cos.ap-shanghai.myqcloud.com" and found.prefix == "minhu/"


def test_the_bucket_keeps_bytes_under_the_prefix_and_refuses_escaping_keys(s3_server, bucket, s3_admin):
    store = s3_blobs(s3_server, bucket, prefix="minhu/media")
    try:
        store.put("100001/7.jpg", b"\xff\xd8photo", "image/jpeg")
        assert keys_in(s3_admin, bucket) == ["minhu/media/100001/7.jpg"]
        head = s3_admin.head_object(Bucket=bucket, Key="minhu/media/100001/7.jpg")
        assert head["ContentType"] == "image/jpeg"
        assert store.get("100001/7.jpg") == b"\xff\xd8photo" and store.exists("100001/7.jpg")
        opened = store.open("100001/7.jpg")
        with opened.source:
            assert opened.source.read() == b"\xff\xd8photo" and opened.size == 7 and opened.etag
        assert store.get("100001/8.jpg") is None and not store.exists("100001/8.jpg")
        for key in ESCAPES:
            with pytest.raises(blobs.BadKey):
                store.put(key, b"x", "image/jpeg")
            assert store.get(key) is None and store.open(key) is None and not store.exists(key)
        assert keys_in(s3_admin, bucket) == ["minhu/media/100001/7.jpg"]
    finally:
        store.close()


def test_a_put_the_bucket_refuses_is_storage_unavailable(s3_server):
    from bot.errors import StorageUnavailable

    store = s3_blobs(s3_server, "no-such-bucket-here")
    try:
        with pytest.raises(StorageUnavailable, match="NoSuchBucket"):
            store.put("1/1.jpg", b"x", "image/jpeg")
        assert "MINHU_MEDIA_S3_BUCKET: no bucket no-such-bucket-here" in store.problem()
    finally:
        store.close()


def test_minhu_check_says_where_media_is_kept_and_what_is_wrong(s3_server, bucket, monkeypatch, tmp_path):
    from bot.cli.main import main

    monkeypatch.setenv("MINHU_DATA_DIR", str(tmp_path))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", *blobs.S3_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    said = CliRunner().invoke(main, ["check"])
    assert said.exit_code == 0 and f"media: the data folder ({tmp_path / 'media'})" in said.output

    monkeypatch.setenv("MINHU_MEDIA_S3_BUCKET", bucket)
    monkeypatch.setenv("MINHU_MEDIA_S3_ENDPOINT", s3_server)
    said = CliRunner().invoke(main, ["check"])
    assert said.exit_code != 0 and "MINHU_MEDIA_S3_ACCESS_KEY_ID: not set (nor AWS_ACCESS_KEY_ID)" in said.output

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    said = CliRunner().invoke(main, ["check"])
    assert said.exit_code == 0 and f"media: s3://{bucket}/ at {s3_server}: ok" in said.output

    monkeypatch.setenv("MINHU_MEDIA_S3_BUCKET", "not-made-yet")
    said = CliRunner().invoke(main, ["check"])
    assert said.exit_code != 0 and "MINHU_MEDIA_S3_BUCKET: no bucket not-made-yet" in said.output


def test_the_runtime_refuses_to_start_with_a_bucket_half_configured(env):
    from bot.runtime import Runtime
    from bot.settings import load_settings
    from tests.conftest import REPO

    settings = load_settings(REPO / "config.yaml", env | {"MINHU_MEDIA_S3_BUCKET": "evidence",
                                                           "MINHU_MEDIA_S3_ENDPOINT": "http://127.0.0.1:9"})
    with pytest.raises(ConfigError, match="MINHU_MEDIA_S3_ACCESS_KEY_ID: not set"):
        Runtime(settings)


def test_a_bucket_without_boto3_installed_says_how_to_install_it(monkeypatch, tmp_path):
    from bot.store import blobs_s3, media

    monkeypatch.setattr(blobs_s3, "boto3", None)  # as in the default install, without the s3 extra
    settings = type("S", (), {"secrets": Secrets.from_env({
        "MINHU_MEDIA_S3_BUCKET": "evidence", "MINHU_MEDIA_S3_ENDPOINT": "http://127.0.0.1:9",
        "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b", "MINHU_DATA_DIR": str(tmp_path)})})
    with pytest.raises(ConfigError, match=r"boto3 is not installed: pip install 'minhu\[s3\]'"):
        media.open_blobs(settings)
