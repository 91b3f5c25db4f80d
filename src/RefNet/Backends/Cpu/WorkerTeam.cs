// WorkerTeam: a small fixed set of background threads that share numbered tasks with the caller.
// Allocation-free per call (no Task or closure objects), so the training loop allocates nothing.
namespace RefNet.Backends.Cpu;

/// <summary>Work split into numbered tasks 0..count−1; each task must be independent of the others.</summary>
internal interface ITaskBody
{
    /// <summary>Runs task <paramref name="index"/>.</summary>
    void Execute(int index);
}

/// <summary>Runs <see cref="ITaskBody"/> tasks on the calling thread plus up to <c>threads − 1</c> workers.</summary>
/// <remarks>Tasks are handed out by an atomic counter, so which thread runs a task varies, but every task
/// is run by exactly one thread. Callers make results independent of that assignment (each output
/// element belongs to one task), which keeps results bitwise identical for any thread count.
/// If another thread is already using the team, the call runs every task on its own thread.</remarks>
internal sealed class WorkerTeam
{
    private readonly object _gate = new();
    private readonly List<Worker> _workers = [];
    private ITaskBody? _body;
    private int _taskCount;
    private int _next;
    private int _running;
    private Exception? _failure;

    /// <summary>The process-wide team.</summary>
    public static WorkerTeam Shared { get; } = new();

    /// <summary>Runs tasks 0..taskCount−1 using at most <paramref name="threads"/> threads; returns when all are done.</summary>
    public void Run(ITaskBody body, int taskCount, int threads)
    {
        if (taskCount <= 0)
        {
            return;
        }
        int helpers = Math.Min(threads, taskCount) - 1;
        if (helpers <= 0 || !Monitor.TryEnter(_gate))
        {
            for (int i = 0; i < taskCount; i++)
            {
                body.Execute(i);
            }
            return;
        }
        try
        {
            while (_workers.Count < helpers)
            {
                _workers.Add(new Worker(this, _workers.Count));
            }
            _body = body;
            _taskCount = taskCount;
            _next = 0;
            _failure = null;
            Volatile.Write(ref _running, helpers);
            for (int w = 0; w < helpers; w++)
            {
                _workers[w].Wake();
            }
            Drain();
            var spin = new SpinWait();
            while (Volatile.Read(ref _running) > 0)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
            _body = null;
            if (_failure is not null)
            {
                throw new AggregateException("A GEMM worker failed", _failure);
            }
        }
        finally
        {
            Monitor.Exit(_gate);
        }
    }

    // Takes tasks until none are left.
    private void Drain()
    {
        ITaskBody body = _body!;
        int i;
        while ((i = Interlocked.Increment(ref _next) - 1) < _taskCount)
        {
            try
            {
                body.Execute(i);
            }
            catch (Exception e)
            {
                _failure ??= e;
            }
        }
    }

    private sealed class Worker
    {
        private readonly WorkerTeam _team;
        private readonly SemaphoreSlim _wake = new(0);

        public Worker(WorkerTeam team, int index)
        {
            _team = team;
            var thread = new Thread(Loop) { IsBackground = true, Name = $"RefNet GEMM worker {index + 1}" };
            thread.Start();
        }

        public void Wake() => _wake.Release();

        private void Loop()
        {
            while (true)
            {
                _wake.Wait();
                _team.Drain();
                Interlocked.Decrement(ref _team._running);
            }
        }
    }
}
