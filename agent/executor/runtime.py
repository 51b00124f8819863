"""What a model's code sees inside the worker: safe builtins, module proxies, captured print.

The policy check has already refused what the AST shows; this module guards what
only shows at run time: attribute names computed as strings (getattr, operator's
attrgetter, str.format fields) and imports. Modules are handed out as proxies that
carry the module's public names minus references to unauthorised modules (so
`random` does not lead to `os`).
"""

import _string
import builtins
import contextlib
import operator
import string
import types
from collections import deque

from agent.executor.rules import FORBIDDEN_BUILTINS, attribute_refusal, is_authorized_import

# Per-module replacements in the proxies: names that compute attribute access from
# strings or evaluate strings as code, replaced or removed (None).
_SAFE_OVERRIDES: dict[str, dict[str, object]] = {}


class LogBuffer:
    """Captured print text, kept as head + tail once it passes `limit` characters."""

    def __init__(self, limit: int):
        self.limit = limit
        self.reset()

    def reset(self) -> None:
        self.head: list[str] = []
        self.head_size = 0
        self.tail: deque[str] = deque()
        self.tail_size = 0
        self.dropped = 0

    def write(self, text: str) -> None:
        half = self.limit // 2
        if self.head_size < half:
            room = half - self.head_size
            self.head.append(text[:room])
            self.head_size += len(text[:room])
            text = text[room:]
        if not text:
            return
        self.tail.append(text)
        self.tail_size += len(text)
        while self.tail_size - len(self.tail[0]) >= half:
            self.dropped += len(self.tail[0])
            self.tail_size -= len(self.tail.popleft())

    def getvalue(self) -> str:
        # Sizes measured here, not the running counts: the interrupt that stops a print
        # flood can land inside write(), between a list and its count.
        head, tail = "".join(self.head), "".join(self.tail)
        if len(tail) > self.limit - len(head):
            cut = len(tail) - max(0, self.limit - len(head))
            self.dropped += cut
            tail = tail[cut:]
        if not self.dropped:
            return head + tail
        note = f"\n... [{self.dropped} characters of output omitted] ...\n"
        return head + note + tail


def _plain(name: object) -> object:
    """A str subclass can lie about its length or text (`__len__`, `__str__`): check
    and use the plain string it holds."""
    return str.__str__(name) if isinstance(name, str) else name


def _check_attribute(name: object) -> object:
    name = _plain(name)
    if isinstance(name, str):
        reason = attribute_refusal(name)
        if reason:
            raise AttributeError(reason)
    return name


def safe_getattr(obj, name, *default):
    name = _check_attribute(name)
    if name in ("format", "format_map"):
        return agentls_attr(obj, name)
    return getattr(obj, name, *default)


def safe_hasattr(obj, name) -> bool:
    return hasattr(obj, _check_attribute(name))


def safe_setattr(obj, name, value) -> None:
    setattr(obj, _check_attribute(name), value)


def safe_delattr(obj, name) -> None:
    delattr(obj, _check_attribute(name))


class SafeFormatter(string.Formatter):
    """str.format semantics, refusing fields like "{0.__class__}" or "{0.gi_frame}"."""

    def get_field(self, field_name, args, kwargs):
        field_name = _plain(field_name)
        _first, rest = _string.formatter_field_name_split(field_name)
        for is_attribute, key in rest:
            if is_attribute:
                _check_attribute(key)
        return super().get_field(field_name, args, kwargs)


_FORMATTER = SafeFormatter()


def agentls_attr(obj, name: str):
    """Replacement for reading `.format` / `.format_map` (see policy.FORMAT_METHODS):
    str's own methods, however reached (a string, str, super(), a subclass), become
    the checking formatter; any other object's method is returned as it is."""
    found = getattr(obj, name)
    owner = getattr(found, "__self__", None)
    if isinstance(owner, str):
        return _bound_format(str.__str__(owner), name)
    if getattr(found, "__objclass__", None) is str or found in (_UNBOUND_FORMAT, _UNBOUND_FORMAT_MAP):
        return _FORMATTER.format if name == "format" else _format_map_unbound
    return found


_UNBOUND_FORMAT, _UNBOUND_FORMAT_MAP = str.format, str.format_map


def _bound_format(template: str, name: str):
    if name == "format":
        return lambda *args, **kwargs: _FORMATTER.vformat(template, args, kwargs)
    return lambda mapping: _FORMATTER.vformat(template, (), mapping)


def _format_map_unbound(template: str, mapping):
    return _FORMATTER.vformat(template, (), mapping)


def _refuse_format(name: object) -> None:
    if name in ("format", "format_map"):
        raise AttributeError(f"{name} is not available this way; call it on the string directly")


def _safe_attrgetter(*names):
    plain = [_plain(name) for name in names]
    for name in plain:
        for part in str(name).split("."):
            _refuse_format(_check_attribute(part))
    return operator.attrgetter(*plain)


def _safe_methodcaller(name, *args, **kwargs):
    name = _check_attribute(name)
    _refuse_format(name)
    return operator.methodcaller(name, *args, **kwargs)


def _safe_update_wrapper(wrapper, wrapped, assigned=None, updated=None):
    """functools.update_wrapper copying only harmless attributes (the real one can be
    told to copy __globals__ into an object the snippet controls)."""
    for name in ("__module__", "__name__", "__qualname__", "__doc__"):
        with contextlib.suppress(AttributeError, TypeError):
            setattr(wrapper, name, getattr(wrapped, name))
    return wrapper


def _safe_wraps(wrapped, assigned=None, updated=None):
    return lambda wrapper: _safe_update_wrapper(wrapper, wrapped)


_SAFE_OVERRIDES.update(
    {
        "operator": {"attrgetter": _safe_attrgetter, "methodcaller": _safe_methodcaller},
        # Formatter's unchecked get_field stays reachable through super(): no Formatter.
        "string": {"Formatter": None},
        "functools": {"update_wrapper": _safe_update_wrapper, "wraps": _safe_wraps},
        # get_type_hints and ForwardRef evaluate strings with caller-chosen globals.
        "typing": {"get_type_hints": None, "ForwardRef": None},
    }
)


class ModuleGate:
    """The snippet's `__import__`: authorised modules only, handed out as proxies."""

    def __init__(self, authorized: frozenset[str]):
        self.authorized = authorized
        self.proxies: dict[str, types.ModuleType] = {}

    def __call__(self, name, globals=None, locals=None, fromlist=(), level=0):
        if level:
            raise ImportError("relative imports are not allowed")
        if not self._is_allowed(name):
            raise ImportError(f"import of {name!r} is not allowed")
        top = builtins.__import__(name, None, None, fromlist or (), 0)
        if not fromlist:
            return self._import_chain(top, name)
        # `from a.b import c`: Python reads c from what we return; import submodules
        # named in fromlist first so that the proxy can carry them.
        target = top
        for part in name.split(".")[1:]:
            target = getattr(target, part)
        proxy = self.proxy(target)
        for item in fromlist:
            full = f"{name}.{item}"
            if item != "*" and not hasattr(proxy, item) and self._is_allowed(full):
                setattr(proxy, item, self.proxy(builtins.__import__(full, fromlist=("_",))))
        return proxy

    def _import_chain(self, top: types.ModuleType, name: str) -> types.ModuleType:
        """`import a.b.c` binds `a`: the proxy of a, holding the proxies down to c. If
        only a.b is authorised, `a` is a bare namespace holding just that."""
        result = holder = self._proxy_or_namespace(top)
        module = top
        for part in name.split(".")[1:]:
            module = getattr(module, part)
            child = self._proxy_or_namespace(module)
            setattr(holder, part, child)
            holder = child
        return result

    def _proxy_or_namespace(self, module: types.ModuleType) -> types.ModuleType:
        if self._is_allowed(module.__name__):
            return self.proxy(module)
        return types.ModuleType(module.__name__)

    def _is_allowed(self, name: str) -> bool:
        return is_authorized_import(name, self.authorized)

    def proxy(self, module: types.ModuleType) -> types.ModuleType:
        name = module.__name__
        cached = self.proxies.get(name)
        if cached is not None:
            return cached
        proxy = types.ModuleType(name, getattr(module, "__doc__", None))
        self.proxies[name] = proxy  # before filling: modules may refer to each other
        overrides = _SAFE_OVERRIDES.get(name, {})
        for key, value in list(vars(module).items()):
            if key.startswith("_") and key not in ("__version__",):
                continue
            if key in overrides:
                value = overrides[key]
                if value is None:
                    continue
            elif isinstance(value, types.ModuleType):
                if not self._is_allowed(value.__name__):
                    continue
                value = self.proxy(value)
            setattr(proxy, key, value)
        return proxy


def safe_builtins(gate: ModuleGate, print_function) -> dict:
    """The builtins dict of the snippet's globals."""
    names = {
        name: value
        for name, value in vars(builtins).items()
        if name not in FORBIDDEN_BUILTINS and not name.startswith("_")
    }
    names.update(
        {
            "__build_class__": builtins.__build_class__,
            "__name__": "builtins",
            "__import__": gate,
            "getattr": safe_getattr,
            "hasattr": safe_hasattr,
            "setattr": safe_setattr,
            "delattr": safe_delattr,
            "print": print_function,
            "__agentls_attr__": agentls_attr,
        }
    )
    return names
