"""An S3 protocol server on loopback (moto's server mode) and the environment that points minhu's media at it."""
import itertools

import pytest

_buckets = itertools.count(1)


@pytest.fixture(scope="session")
def s3_server():
    """moto's ThreadedMotoServer on 127.0.0.1, a port the OS picks; its endpoint URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_admin(s3_server):
    """A boto3 client of the test's own, to make buckets and look inside them."""
    import boto3

    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing")
    yield client
    client.close()


@pytest.fixture
def bucket(s3_admin):
    """A new, empty bucket for each test (moto keeps every bucket for the session)."""
    name = f"minhu-media-{next(_buckets)}"
    s3_admin.create_bucket(Bucket=name)
    return name


@pytest.fixture
def env(env, s3_server, bucket):
    return env | {"MINHU_MEDIA_S3_BUCKET": bucket, "MINHU_MEDIA_S3_ENDPOINT": s3_server,
                  "MINHU_MEDIA_S3_PREFIX": "evidence", "AWS_ACCESS_KEY_ID": "testing",
                  "AWS_SECRET_ACCESS_KEY": "testing"}


def keys_in(s3_admin, bucket: str) -> list[str]:
    return sorted(o["Key"] for o in s3_admin.list_objects_v2(Bucket=bucket).get("Contents", []))


def object_bytes(s3_admin, bucket: str, key: str) -> bytes:
    return s3_admin.get_object(Bucket=bucket, Key=key)["Body"].read()
