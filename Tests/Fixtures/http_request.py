"""What the stand-in servers (openai_server.py, anthropic_server.py) share: taking one HTTP/1.1
request off the front of a connection's buffer, once all of it has arrived."""


def take_request(buffer):
    """(method, path, headers, body, rest) for the first whole request in `buffer`, header names
    lower-cased; None while its head or its body is still arriving."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = buffer[:end].decode("latin-1").split("\r\n")
    headers = {}
    for h in lines[1:]:
        k, _, v = h.partition(":")
        headers[k.strip().lower()] = v.strip()
    length = int(headers.get("content-length", "0"))
    if len(buffer) < end + 4 + length:
        return None
    method, path = lines[0].split(" ")[:2]
    return method, path, headers, buffer[end + 4:end + 4 + length], buffer[end + 4 + length:]
