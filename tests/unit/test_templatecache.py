"""Templates compiled once per process: shared between environments, recompiled when the source changes."""

from jinja2 import DictLoader, Environment

from portal.templatecache import ProcessBytecodeCache


def test_a_second_environment_reuses_the_code_and_a_changed_template_is_compiled_anew():
    cache = ProcessBytecodeCache()
    sources = {"page.html": "Halo {{ name }}"}
    first = Environment(loader=DictLoader(sources), bytecode_cache=cache)
    assert first.get_template("page.html").render(name="Siti") == "Halo Siti"
    assert len(cache._code) == 1
    kept = dict(cache._code)

    second = Environment(loader=DictLoader(sources), bytecode_cache=cache)
    assert second.get_template("page.html").render(name="Budi") == "Halo Budi"
    assert cache._code == kept  # loaded, not compiled again

    sources["page.html"] = "Selamat datang, {{ name }}"
    third = Environment(loader=DictLoader(sources), bytecode_cache=cache)
    assert third.get_template("page.html").render(name="Ani") == "Selamat datang, Ani"
    assert cache._code != kept
    cache.clear()
    assert cache._code == {}


def test_every_app_of_the_process_shares_the_cache():
    from portal import Portal, create_app
    from portal.templatecache import BYTECODE_CACHE

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert isinstance(app, Portal) and app.jinja_env.bytecode_cache is BYTECODE_CACHE
