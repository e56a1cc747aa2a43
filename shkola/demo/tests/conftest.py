from shkola.demo.pytest_fixtures import demo_world  # noqa: F401  (until the root conftest registers the plugin)
