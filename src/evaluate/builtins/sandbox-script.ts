/**
 * The Python side of the code sandbox: one script, run as `python3 -S -c SANDBOX_SCRIPT CONFIG`
 * with the program on stdin. Only Python's standard library is used (ctypes reaches
 * mount/prctl/capset), so it works wherever the interpreter does. It sets the sandbox up, then
 * runs `program.py` as `__main__` in the same interpreter.
 *
 * - `namespace`: started by `unshare` in new PID, mount, network, IPC and UTS namespaces (in a
 *   user namespace too unless autotune runs as root), under {@link NAMESPACE_INIT}, a shell
 *   that is PID 1 of the namespace: when it exits, or is killed at the timeout, the kernel
 *   kills every process left in the namespace. The script builds a new root on a size-capped
 *   tmpfs (the system directories and the interpreter's own read-only, a fresh /proc of the
 *   namespace, a minimal /dev, a private /tmp as working directory), chroots into it, and drops
 *   every privilege: as root it becomes a uid of its own (given in the config), otherwise it
 *   clears all capabilities; the bounding set is emptied and no_new_privs set, so nothing it
 *   runs (set-user-ID binaries included) gets them back, and no mount can be undone. The
 *   program cannot signal the init (a namespace's init ignores what its namespace sends) nor
 *   ptrace it (it has capabilities the program lacks).
 * - `unsafe-prelude` (no namespaces): the script becomes the program's supervisor, a child
 *   subreaper that forks the program and kills every descendant when the program ends or on
 *   SIGTERM (the timeout).
 *
 * Then the program's rlimits are set (core 0, CPU, file size, open files, address space;
 * processes in `namespace`, where the count is the sandbox's own), the site packages are
 * added (the interpreter starts with -S, so .pth files run inside the sandbox), and `socket`'s
 * constructors and connect functions are replaced so Python-level network use fails with
 * OSError. Status on fd 3, one JSON line each: `{"started": 1}` just before the program runs
 * (its timeout counts from there), `{"error": "..."}` when the sandbox could not be set up (exit
 * 125), then `{"exit": code}` or `{"signal": number}`, written by the namespace's init or the
 * supervisor. The program never holds fd 3, so it cannot forge its status.
 */
export const SANDBOX_SCRIPT = String.raw`
import sys
def _autotune_sandbox(cfg):
    import ctypes, json, os, resource, signal
    STATUS = 3
    libc = ctypes.CDLL(None, use_errno=True)
    namespace = cfg['mode'] == 'namespace'

    def report(**fields):
        os.write(STATUS, (json.dumps(fields) + '\n').encode())

    def check(ret, what):
        if ret != 0:
            e = ctypes.get_errno()
            raise OSError(e, '%s: %s' % (what, os.strerror(e)))

    def prctl(option, arg):
        check(libc.prctl(option, ctypes.c_ulong(arg), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)), 'prctl(%d)' % option)

    def mount(src, target, fstype, flags, data=None):
        enc = lambda s: None if s is None else s.encode()
        check(libc.mount(enc(src), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)), 'mount %s' % target)

    MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 8, 32, 4096, 16384, 1 << 18

    def build_root():
        # unshare makes mounts private by default; said again, since a mount that propagated
        # back would change the host
        mount(None, '/', None, MS_REC | MS_PRIVATE)
        # the new root is a tmpfs mounted over /tmp; /tmp inside it is the program's own
        root = '/tmp'
        mount('tmpfs', root, 'tmpfs', MS_NOSUID | MS_NODEV,
              'size=%dk,nr_inodes=%d,mode=755' % (cfg['disk_kb'], max(1024, cfg['disk_kb'] // 4)))
        shown = []
        def show(path):
            path = os.path.realpath(path)
            if not os.path.isdir(path) or any(path == s or path.startswith(s + '/') for s in shown):
                return
            os.makedirs(root + path, exist_ok=True)
            mount(path, root + path, None, MS_BIND | MS_REC)
            # a read-only remount must keep the flags the source mount is locked with (noexec)
            locked = MS_NOEXEC if os.statvfs(path).f_flag & os.ST_NOEXEC else 0
            mount(None, root + path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | locked)
            shown.append(path)
        for top in ('/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc', '/nix/store'):
            if os.path.islink(top):
                os.symlink(os.readlink(top), root + top)
            elif os.path.isdir(top):
                show(top)
        import site  # only for the paths: site.main() runs later, inside the sandbox
        interpreter = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                       os.path.dirname(os.path.realpath(sys.executable))}
        for path in sorted(interpreter | set(site.getsitepackages()) | {p for p in sys.path if os.path.isabs(p)}):
            show(path)
        os.mkdir(root + '/proc')
        mount('proc', root + '/proc', 'proc', MS_NOSUID | MS_NODEV | MS_NOEXEC)
        os.mkdir(root + '/dev')
        for dev in ('null', 'zero', 'full', 'random', 'urandom'):
            open(root + '/dev/' + dev, 'w').close()
            mount('/dev/' + dev, root + '/dev/' + dev, None, MS_BIND)
        for name, target in (('fd', '/proc/self/fd'), ('stdin', '/proc/self/fd/0'),
                             ('stdout', '/proc/self/fd/1'), ('stderr', '/proc/self/fd/2')):
            os.symlink(target, root + '/dev/' + name)
        for path in ('/dev/shm', '/tmp'):
            os.mkdir(root + path)
            os.chmod(root + path, 0o1777)
        os.mkdir(root + '/var')
        os.symlink('/tmp', root + '/var/tmp')
        os.chroot(root)
        os.chdir('/')

    def drop_privileges():
        for cap in range(int(open('/proc/sys/kernel/cap_last_cap').read()) + 1):
            prctl(24, cap)  # PR_CAPBSET_DROP
        uid = cfg['uid']
        if uid:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
        class Header(ctypes.Structure):
            _fields_ = [('version', ctypes.c_uint32), ('pid', ctypes.c_int)]
        class Data(ctypes.Structure):
            _fields_ = [('effective', ctypes.c_uint32), ('permitted', ctypes.c_uint32), ('inheritable', ctypes.c_uint32)]
        check(libc.capset(ctypes.byref(Header(0x20080522, 0)), (Data * 2)()), 'capset')
        prctl(38, 1)  # PR_SET_NO_NEW_PRIVS
        prctl(4, 1)  # PR_SET_DUMPABLE (a change of uid clears it): the program's /proc is its own
        fields = dict(l.split(':', 1) for l in open('/proc/self/status').read().splitlines() if ':' in l)
        for key in ('CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb'):
            if int(fields.get(key, '0').strip(), 16) != 0:
                raise OSError('%s is still %s' % (key, fields[key].strip()))
        if fields.get('NoNewPrivs', '1').strip() != '1':
            raise OSError('no_new_privs is not set')

    def limit_and_guard():
        # the program's own limits, site packages and socket guard
        limits = [(resource.RLIMIT_CORE, 0), (resource.RLIMIT_CPU, cfg['cpu_seconds']),
                  (resource.RLIMIT_FSIZE, cfg['file_bytes']), (resource.RLIMIT_NOFILE, cfg['open_files'])]
        if cfg['memory_mb'] > 0:
            limits.append((resource.RLIMIT_AS, cfg['memory_mb'] * 1024 * 1024))
        if namespace:
            limits.append((resource.RLIMIT_NPROC, cfg['processes'] + 1))  # the namespace's init counts too
        for which, value in limits:
            resource.setrlimit(which, (value, value))
        # started with -S: the .pth files run here, inside the sandbox, as a normal start would run them
        import site
        site.main()
        import socket, _socket
        def blocked(*args, **kwargs):
            raise OSError(101, 'network access is disabled in the autotune code eval')
        c_socket = _socket.socket
        unix = getattr(socket, 'AF_UNIX', None)
        class GuardedSocket(c_socket):
            # socket.socket.__init__ calls _socket.socket.__init__, so this guards both layers
            def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
                if family != unix:
                    blocked()
                c_socket.__init__(self, family, type, proto, fileno)
            connect = connect_ex = bind = sendto = blocked
        class NoNetworkSocket(socket.socket):
            connect = connect_ex = bind = sendto = blocked
        _socket.socket = _socket.SocketType = GuardedSocket
        socket.socket = socket.SocketType = NoNetworkSocket
        for mod in (socket, _socket):
            for name in ('create_connection', 'create_server', 'getaddrinfo', 'gethostbyname',
                         'gethostbyname_ex', 'gethostbyaddr', 'getnameinfo', 'fromfd'):
                if hasattr(mod, name):
                    setattr(mod, name, blocked)

    program = sys.stdin.buffer.read()
    null = os.open('/dev/null', os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    try:
        os.setsid()  # a session of its own: kill(0, ...) reaches nothing outside
    except OSError:
        pass  # already a session leader (started detached)
    stage = 'starting'
    try:
        if namespace:
            stage = 'building the sandbox root'
            build_root()
            stage = 'dropping privileges'
            drop_privileges()
            os.chdir('/tmp')
        else:
            try:
                prctl(36, 1)  # PR_SET_CHILD_SUBREAPER
            except Exception:
                pass  # not Linux: the process group kill is all there is
        stage = 'writing program.py'
        with open('program.py', 'wb') as f:
            f.write(program)
        if namespace:
            stage = 'setting limits'
            limit_and_guard()
    except Exception as e:
        report(error='%s: %s' % (stage, e))
        os._exit(125)
    if namespace:
        report(started=1)
        os.closerange(STATUS, 1 << 16)  # the namespace's init (sh) reports how the program ended
        return program

    def descendants():
        found, todo = [], [os.getpid()]
        while todo:
            pid = todo.pop()
            try:
                with open('/proc/%d/task/%d/children' % (pid, pid)) as f:
                    kids = [int(k) for k in f.read().split()]
            except (OSError, ValueError):
                kids = []
            found.extend(kids)
            todo.extend(kids)
        return found

    def kill_descendants():
        # a killed process's children come back to this subreaper: repeat until none is left
        for _ in range(10000):
            pids = descendants()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            try:
                while os.waitpid(-1, os.WNOHANG)[0] > 0:
                    pass
            except ChildProcessError:
                pass

    child = os.fork()
    if child == 0:
        try:
            prctl(1, signal.SIGKILL)  # dies with its supervisor
        except Exception:
            pass
        try:
            limit_and_guard()
        except Exception as e:
            report(error='setting limits: %s' % e)
            os._exit(125)
        report(started=1)
        os.closerange(STATUS, 1 << 16)
        return program
    try:
        prctl(4, 0)  # PR_SET_DUMPABLE off: a program not running as root cannot reach fd 3 through /proc
    except Exception:
        pass
    signal.signal(signal.SIGTERM, lambda *_: (kill_descendants(), os._exit(124)))
    while True:
        pid, status = os.waitpid(-1, 0)  # also reaps the orphans handed to this subreaper
        if pid == child:
            break
    kill_descendants()
    if os.WIFSIGNALED(status):
        report(signal=os.WTERMSIG(status))
    else:
        report(exit=os.WEXITSTATUS(status))
    os._exit(0)

_program = _autotune_sandbox(__import__('json').loads(sys.argv[1]))
del _autotune_sandbox
sys.argv = ['program.py']
_code = compile(_program, 'program.py', 'exec')
del _program
exec(_code, {'__name__': '__main__', '__builtins__': __builtins__})
`;

/**
 * PID 1 of the namespace sandbox: runs the interpreter (its arguments), then reports how it
 * ended on fd 3, the shell's way (above 128: killed by signal − 128), and exits, which ends
 * the namespace and everything in it. A shell, so the program's process is not the init
 * (whose odd signal rules would change how programs behave) and no second Python is forked.
 */
export const NAMESPACE_INIT = '"$@"; s=$?; if [ "$s" -gt 128 ]; then printf \'{"signal": %d}\\n\' "$((s - 128))"; '
  + 'else printf \'{"exit": %d}\\n\' "$s"; fi >&3';
