from tests.accounts.conftest import admin_client
from tests.conftest import member, platform_admin


def test_smoke(acme):
    for role in ("owner", "operator", "viewer"):
        r = admin_client(acme, member(acme, role)).get("/admin/")
        assert r.status_code == 200, r.content[:2000]
        print(role, r.content.decode()[-6000:])
    r = admin_client(None, platform_admin()).get("/admin/")
    assert r.status_code == 200
    print(r.content.decode()[-5000:])
    r = admin_client(None, platform_admin()).get("/admin/home/nova-empresa/")
    assert r.status_code == 200
    print(r.content.decode()[-4000:])
