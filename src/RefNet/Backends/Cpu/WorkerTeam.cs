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
/// <remarks>
/// <para>Tasks are claimed from one 64-bit counter holding (generation, next task), so a worker that wakes
/// late can never take a task of a newer call with an older body. The caller works too and returns as soon
/// as every task is <i>finished</i> — it never waits for a worker that has not woken yet. Workers spin
/// briefly between calls (GEMM phases come in quick succession), then sleep.</para>
/// <para>Which thread runs a task varies, but every task is run by exactly one thread; callers make results
/// independent of that (each output element belongs to one task), so results are bitwise identical for any
/// thread count. If another thread is already using the team, the call runs every task itself.</para>
/// </remarks>
internal sealed class WorkerTeam
{
    private const int SpinIterations = 2000;

    private readonly object _gate = new();
    private readonly object _sleep = new();
    private readonly List<Thread> _workers = [];
    private ITaskBody? _body;
    private int _taskCount;
    private long _claim;
    private int _generation;
    private int _done;
    private int _sleepers;
    private Exception? _failure;

    [ThreadStatic]
    private static bool t_insideRun;

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
        // Serially when there is nothing to share, when another thread holds the team, or when this thread is
        // already inside a Run (Monitor is reentrant, so a nested call would otherwise replace the running one).
        if (helpers <= 0 || t_insideRun || !Monitor.TryEnter(_gate))
        {
            for (int i = 0; i < taskCount; i++)
            {
                body.Execute(i);
            }
            return;
        }
        t_insideRun = true;
        try
        {
            while (_workers.Count < helpers)
            {
                var thread = new Thread(WorkerLoop) { IsBackground = true, Name = $"RefNet GEMM worker {_workers.Count + 1}" };
                _workers.Add(thread);
                thread.Start();
            }
            // Publish the call: first the (generation, 0) claim counter, so that a worker still holding the previous
            // generation can no longer claim anything (even with this call's body), then body and count, then the
            // generation, which is what wakes workers for this call.
            int generation = _generation + 1;
            Interlocked.Exchange(ref _claim, (long)generation << 32);
            Volatile.Write(ref _body, body);
            Volatile.Write(ref _taskCount, taskCount);
            _failure = null;
            Volatile.Write(ref _done, 0);
            Interlocked.Exchange(ref _generation, generation);
            if (Volatile.Read(ref _sleepers) > 0)
            {
                lock (_sleep)
                {
                    Monitor.PulseAll(_sleep);
                }
            }
            Drain(generation, body, taskCount);
            var spin = default(SpinWait);
            while (Volatile.Read(ref _done) < taskCount)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
            if (_failure is not null)
            {
                throw new AggregateException("A GEMM task failed", _failure);
            }
        }
        finally
        {
            t_insideRun = false;
            Monitor.Exit(_gate);
        }
    }

    // Claims and runs tasks of `generation` until none are left (or a newer call has started).
    private void Drain(int generation, ITaskBody body, int taskCount)
    {
        while (true)
        {
            long claim = Volatile.Read(ref _claim);
            int index = (int)(claim & 0xFFFFFFFF);
            if ((int)(claim >> 32) != generation || index >= taskCount)
            {
                return;
            }
            if (Interlocked.CompareExchange(ref _claim, claim + 1, claim) != claim)
            {
                continue;
            }
            try
            {
                body.Execute(index);
            }
            catch (Exception e)
            {
                _failure ??= e;
            }
            Interlocked.Increment(ref _done);
        }
    }

    private void WorkerLoop()
    {
        int seen = 0;
        while (true)
        {
            // Wait for a new generation: spin a little, then sleep until pulsed.
            int generation = Volatile.Read(ref _generation);
            for (int i = 0; generation == seen && i < SpinIterations; i++)
            {
                Thread.SpinWait(20);
                generation = Volatile.Read(ref _generation);
            }
            if (generation == seen)
            {
                lock (_sleep)
                {
                    Interlocked.Increment(ref _sleepers);
                    while ((generation = Volatile.Read(ref _generation)) == seen)
                    {
                        Monitor.Wait(_sleep);
                    }
                    Interlocked.Decrement(ref _sleepers);
                }
            }
            seen = generation;
            // Snapshot the call; the claim counter rejects the snapshot if a newer call replaced it meanwhile.
            ITaskBody? body = Volatile.Read(ref _body);
            int count = Volatile.Read(ref _taskCount);
            if (body is not null)
            {
                Drain(generation, body, count);
            }
        }
    }
}
