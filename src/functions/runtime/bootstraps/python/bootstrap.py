"""Our runtime for Lambda's python3.x: runs a Lambda handler unchanged.

A client of the Lambda Runtime API (AWS_LAMBDA_RUNTIME_API=host:port): it
imports the handler once ("module.function", nested packages as
"pkg/sub/mod.fn" or "pkg.sub.mod.fn"), then loops: GET the next invocation,
call handler(event, context), POST the result or Lambda's error document.
Standard library only (python3.8+); one keep-alive connection to the API.
Started with --spare, it first waits for its function (take_assignment).
Names, messages and shapes follow what Lambda's python runtime gives, so a
handler (and whoever reads its errors) sees what it would see on AWS.
"""

import importlib
import json
import logging
import os
import socket
import sys
import time
import traceback

API = "/2018-06-01/runtime"
THIS_FILE = os.path.abspath(__file__)


class Fault(Exception):
    """An error the runtime reports with a Runtime.* type (not the handler's own)."""

    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace or []


# --- the Runtime API client -------------------------------------------------

class ApiError(Exception):
    pass


class RuntimeApi:
    """HTTP/1.1 over one kept-alive socket. Not http.client: importing it
    (email parsing, ssl) costs more than the rest of a cold start together."""

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.address = (host.strip("[]") or "127.0.0.1", int(port))
        self.sock = None
        self.reader = None

    def _connect(self):
        self.sock = socket.create_connection(self.address)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = self.sock.makefile("rb")

    def _close(self):
        for closable in (self.reader, self.sock):
            try:
                closable.close()
            except OSError:
                pass
        self.sock = self.reader = None

    def _request(self, method, path, body=b"", headers=None):
        # A kept-alive connection the server closed meanwhile fails on first
        # use; one fresh connection is tried before giving up.
        for attempt in (0, 1):
            fresh = self.sock is None
            if fresh:
                self._connect()
            try:
                return self._exchange(method, path, body, headers or {})
            except (OSError, ApiError):
                self._close()
                if fresh or attempt == 1:
                    raise

    def _exchange(self, method, path, body, headers):
        head = ["%s %s HTTP/1.1" % (method, path), "Host: %s:%d" % self.address,
                "Content-Length: %d" % len(body)]
        head += ["%s: %s" % item for item in headers.items()]
        self.sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)

        status_line = self.reader.readline(65537)
        parts = status_line.split(None, 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/"):
            raise ApiError("bad status line %r" % status_line[:100])
        status = int(parts[1])
        response_headers = {}
        while True:
            line = self.reader.readline(65537)
            if line in (b"\r\n", b"\n"):
                break
            if not line:
                raise ApiError("connection closed in the headers")
            name, _, value = line.decode("latin-1").partition(":")
            response_headers[name.strip().lower()] = value.strip()

        if response_headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.reader.readline(65537).split(b";")[0], 16)
                if size == 0:
                    while self.reader.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self._read_exactly(size))
                self.reader.readline(65537)
            data = b"".join(chunks)
        elif "content-length" in response_headers:
            data = self._read_exactly(int(response_headers["content-length"]))
        else:
            data = self.reader.read()
            response_headers["connection"] = "close"
        if response_headers.get("connection", "").lower() == "close":
            self._close()
        return status, response_headers, data

    def _read_exactly(self, size):
        data = self.reader.read(size)
        if len(data) != size:
            raise ApiError("connection closed in the body")
        return data

    def next(self):
        """The next invocation's (headers, body); None when the server ends
        this worker (any answer but 200, e.g. 500 Runtime.Stopping)."""
        status, headers, data = self._request("GET", API + "/invocation/next")
        return (headers, data) if status == 200 else None

    def respond(self, request_id, body, content_type):
        self._request("POST", API + "/invocation/%s/response" % request_id, body,
                      {"Content-Type": content_type})

    def error(self, request_id, document):
        self._post_error(API + "/invocation/%s/error" % request_id, document)

    def init_error(self, document):
        self._post_error(API + "/init/error", document)

    def _post_error(self, path, document):
        error_type = "".join(c for c in str(document.get("errorType", "")) if " " <= c <= "~")
        self._request("POST", path, to_json(document).encode("utf-8"), {
            "Content-Type": "application/json",
            "Lambda-Runtime-Function-Error-Type": error_type,
        })


# --- output: print() unbuffered, logging in Lambda's format -----------------

class Unbuffered:
    """Flushes every write, so the server shows a handler's output live."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, text):
        written = self.stream.write(text)
        self.stream.flush()
        return written

    def writelines(self, lines):
        self.stream.writelines(lines)
        self.stream.flush()

    def __getattr__(self, name):
        return getattr(self.stream, name)


current_request_id = None


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = current_request_id or ""
        return True


class StdoutHandler(logging.Handler):
    def emit(self, record):
        try:
            sys.stdout.write(self.format(record))
        except Exception:
            self.handleError(record)


def setup_logging():
    # Lambda's text format; the level stays the root logger's default
    # (WARNING) unless AWS_LAMBDA_LOG_LEVEL says otherwise, as on Lambda.
    logging.Formatter.converter = time.gmtime
    handler = StdoutHandler()
    handler.setFormatter(logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
        "%Y-%m-%dT%H:%M:%S"))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    if level in ("TRACE", "DEBUG", "INFO", "WARN", "WARNING", "ERROR", "FATAL", "CRITICAL"):
        root.setLevel({"TRACE": "DEBUG", "WARN": "WARNING", "FATAL": "CRITICAL"}.get(level, level))
    root.addHandler(handler)


def log_error(document):
    # What Lambda writes to the function's log for an error.
    line = "[ERROR]"
    if document.get("errorType"):
        line += " " + document["errorType"]
    if document.get("errorMessage"):
        line += (":" if document.get("errorType") else "") + " " + document["errorMessage"]
    lines = [line, "Traceback (most recent call last):"]
    for frame in document.get("stackTrace") or []:
        lines.extend(frame.splitlines() or [""])
    sys.stdout.write("\n".join(lines) + "\n")


# --- JSON as Lambda's python runtime writes it ------------------------------

def _default(value):
    # Lambda's runtime writes a Decimal as a JSON number (boto3's numbers
    # are Decimals): exact for integers, the nearest float otherwise. Not
    # imported here: there is no Decimal unless someone imported decimal.
    decimal = sys.modules.get("decimal")
    if decimal is not None and isinstance(value, decimal.Decimal):
        if value.is_finite() and value == value.to_integral_value():
            return int(value)
        return float(value)
    raise TypeError("Object of type %s is not JSON serializable" % type(value).__name__)


def to_json(value):
    ensure_ascii = os.environ.get("AWS_EXECUTION_ENV") != "AWS_Lambda_python3.12"
    return json.dumps(value, default=_default, ensure_ascii=ensure_ascii)


def error_document(message, error_type, trace, request_id=""):
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id or "",
        "stackTrace": trace or [],
    }


def exception_document(exc, request_id=""):
    # The handler's frames only: the runtime's own leading frames are cut.
    frames = traceback.extract_tb(exc.__traceback__)
    for i, frame in enumerate(frames):
        if os.path.abspath(frame.filename) != THIS_FILE:
            frames = frames[i:]
            break
    return error_document(str(exc), type(exc).__name__,
                          traceback.format_list(frames), request_id)


# --- the context object -----------------------------------------------------

class CognitoIdentity:
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]

    def __repr__(self):
        return "CognitoIdentity([cognito_identity_id=%s,cognito_identity_pool_id=%s])" % (
            self.cognito_identity_id, self.cognito_identity_pool_id)


class Client:
    __slots__ = ["installation_id", "app_title", "app_version_name",
                 "app_version_code", "app_package_name"]


class ClientContext:
    __slots__ = ["custom", "env", "client"]


def _from_dict(cls, values):
    if values is None:
        return None
    obj = cls()
    for field in cls.__slots__:
        setattr(obj, field, values.get(field) if isinstance(values, dict) else None)
    return obj


class LambdaContext:
    """Lambda's context: environment settings plus this invocation's headers.
    memory_limit_in_mb is the environment's string, as on Lambda."""

    def __init__(self, request_id, deadline_ms, invoked_function_arn,
                 client_context, cognito_identity):
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.client_context = _from_dict(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = _from_dict(Client, self.client_context.client)
        self.identity = _from_dict(CognitoIdentity, {})
        if cognito_identity is not None:
            self.identity.cognito_identity_id = cognito_identity.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = cognito_identity.get("cognitoIdentityPoolId")
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        remaining = self._deadline_ms - int(time.time() * 1000)
        return remaining if remaining > 0 else 0

    def log(self, message):
        sys.stdout.write(str(message))

    def __repr__(self):
        return ("LambdaContext([aws_request_id=%s,log_group_name=%s,log_stream_name=%s,"
                "function_name=%s,memory_limit_in_mb=%s,function_version=%s,"
                "invoked_function_arn=%s,client_context=%s,identity=%s])" % (
                    self.aws_request_id, self.log_group_name, self.log_stream_name,
                    self.function_name, self.memory_limit_in_mb, self.function_version,
                    self.invoked_function_arn, self.client_context, self.identity))


def _json_header(text, name):
    if not text:
        return None
    try:
        return json.loads(text)
    except Exception as e:
        raise Fault("Runtime.LambdaContextUnmarshalError",
                    "Unable to parse %s JSON: %s" % (name, e))


# --- loading the handler ----------------------------------------------------

def load_handler(handler):
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as e:
        raise Fault("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e))
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise Fault("Runtime.BuiltInModuleConflict",
                    "Cannot use built-in module %s as a handler module" % module_name)
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as e:
        raise Fault("Runtime.ImportModuleError",
                    "Unable to import module '%s': %s" % (module_name, e))
    except SyntaxError as e:
        raise Fault("Runtime.UserCodeSyntaxError",
                    "Syntax error in module '%s': %s" % (module_name, e),
                    ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)])
    try:
        return getattr(module, function_name)
    except AttributeError:
        raise Fault("Runtime.HandlerNotFound",
                    "Handler '%s' missing on module '%s'" % (function_name, module_name))


def prepare_sys_path(task_root):
    # The code directory first, as on Lambda; our own folder not at all, so a
    # user module may share a name with this file.
    here = os.path.dirname(THIS_FILE)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    sys.path.insert(0, task_root)


# --- one invocation ---------------------------------------------------------

def invoke(api, handler, headers, body):
    global current_request_id
    request_id = headers.get("lambda-runtime-aws-request-id", "")
    current_request_id = request_id
    trace_id = headers.get("lambda-runtime-trace-id")
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)

    document = None
    try:
        try:
            deadline_ms = int(headers.get("lambda-runtime-deadline-ms") or 0)
        except ValueError:
            deadline_ms = 0
        context = LambdaContext(
            request_id, deadline_ms, headers.get("lambda-runtime-invoked-function-arn"),
            _json_header(headers.get("lambda-runtime-client-context"), "Client Context"),
            _json_header(headers.get("lambda-runtime-cognito-identity"), "Cognito Identity"))
        content_type = headers.get("content-type") or "application/json"
        if content_type.split(";")[0].strip() == "application/json":
            try:
                event = json.loads(body)
            except Exception as e:
                raise Fault("Runtime.UnmarshalError", "Unable to unmarshal input: %s" % e)
        else:
            event = body
        result = handler(event, context)
        if isinstance(result, bytes):
            payload, result_type = result, "application/unknown"
        else:
            try:
                payload, result_type = to_json(result).encode("utf-8"), "application/json"
            except Exception as e:
                raise Fault("Runtime.MarshalError", "Unable to marshal response: %s" % e)
    except Fault as fault:
        document = error_document(fault.message, fault.error_type, fault.trace, request_id)
    except Exception as e:
        document = exception_document(e, request_id)

    if document is not None:
        log_error(document)
        api.error(request_id, document)
    else:
        api.respond(request_id, payload, result_type)


# --- a spare: started before its function is known --------------------------

def take_assignment(fd=3):
    """Says "ready" on fd 3, then waits there for the server to give this
    spare process a function: the whole environment (Runtime API address and
    handler included) and the code directory, as JSON, then EOF. Until then
    nothing of any function runs."""
    try:
        os.write(fd, b"ready\n")
    except OSError:
        pass  # the assignment came first and the server closed its end
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except InterruptedError:
            continue
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    if not chunks:
        sys.exit(0)  # the server stopped this spare
    assignment = json.loads(b"".join(chunks))
    os.environ.clear()
    os.environ.update(assignment["env"])
    time.tzset()  # the time module read TZ when it was imported
    os.chdir(assignment["cwd"])
    del sys.argv[1:]


def main():
    if sys.argv[1:] == ["--spare"]:
        take_assignment()
    sys.stdout = Unbuffered(sys.stdout)
    sys.stderr = Unbuffered(sys.stderr)
    address = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    if not address:
        sys.stderr.write("bootstrap: AWS_LAMBDA_RUNTIME_API is not set\n")
        return 2
    api = RuntimeApi(address)
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    prepare_sys_path(task_root)
    setup_logging()

    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except Exception as e:
        # An import error, a missing handler, or the module's own top-level
        # exception: reported once as the init error; the process ends.
        if isinstance(e, Fault):
            document = error_document(e.message, e.error_type, e.trace)
        else:
            document = exception_document(e)
        log_error(document)
        try:
            api.init_error(document)
        except (OSError, ApiError):
            pass
        return 1

    while True:
        try:
            invocation = api.next()
        except (OSError, ApiError) as e:
            sys.stderr.write("bootstrap: runtime API unavailable: %s\n" % e)
            return 1
        if invocation is None:
            return 0
        headers, body = invocation
        try:
            invoke(api, handler, headers, body)
        except (OSError, ApiError) as e:
            sys.stderr.write("bootstrap: cannot report the invocation: %s\n" % e)
            return 1


if __name__ == "__main__":
    sys.exit(main())
