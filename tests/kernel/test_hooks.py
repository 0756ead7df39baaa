"""The named hooks a lower layer calls and a higher one registers on (ADR 0009)."""

from foiregister.kernel.hooks import Hook


def test_a_hook_calls_its_functions_in_the_order_registered_and_returns_their_results():
    hook = Hook("test")
    hook.register(lambda *, n: n + 1)
    hook.register(lambda *, n: n * 10)

    assert hook.call(n=2) == [3, 20]


def test_registering_a_function_again_does_not_call_it_twice():
    calls = []

    def heard(request):
        calls.append(request)

    hook = Hook("test")
    hook.register(heard)
    hook.register(heard)  # an AppConfig.ready run twice
    hook.call("FOI/1")

    assert calls == ["FOI/1"]


def test_a_function_registered_under_a_taken_name_replaces_the_first_in_its_place():
    hook = Hook("test")
    hook.register(lambda: "first", name="a")
    hook.register(lambda: "second", name="b")
    hook.register(lambda: "replaced", name="a")

    assert hook.call() == ["replaced", "second"]


def test_a_hook_with_nothing_registered_calls_nothing():
    assert Hook("test").call(request=None) == []
