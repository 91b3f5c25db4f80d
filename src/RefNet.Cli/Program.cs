// refnet: the command-line entry point. Dispatches to the ICommand named by the first argument.
// Every error becomes one line on stderr and a non-zero exit code, never a stack trace.
using System.Reflection;
using RefNet.Cli;

return Cli.Run(args, Console.Out, Console.Error);

namespace RefNet.Cli
{
    /// <summary>Command dispatch, callable from tests.</summary>
    public static class Cli
    {
        /// <summary>All commands in this assembly, by name.</summary>
        public static IReadOnlyDictionary<string, ICommand> Commands { get; } = typeof(Cli).Assembly.GetTypes()
            .Where(t => typeof(ICommand).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
            .Select(t => (ICommand)Activator.CreateInstance(t)!)
            .ToDictionary(c => c.Name);

        /// <summary>Runs <c>refnet args...</c>; returns the exit code (0 ok, 1 failure, 2 usage error, 3 internal error).</summary>
        public static int Run(string[] args, TextWriter output, TextWriter error)
        {
            if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
            {
                output.WriteLine("usage: refnet <command> [options]");
                foreach (ICommand c in Commands.Values.OrderBy(c => c.Name))
                {
                    output.WriteLine($"  {c.Name,-12} {c.Description}");
                }
                return args.Length == 0 ? 2 : 0;
            }
            if (!Commands.TryGetValue(args[0], out ICommand? command))
            {
                error.WriteLine($"refnet: unknown command '{args[0]}' (try 'refnet help')");
                return 2;
            }
            try
            {
                try
                {
                    return command.Run(args[1..], output);
                }
                catch (TypeInitializationException e) when (e.InnerException is { } inner)
                {
                    // A bad environment variable (REFNET_GEMM, REFNET_THREADS) read by a static initializer: report the
                    // cause itself, typed as it was thrown.
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(inner).Throw();
                    throw;
                }
            }
            catch (UsageException e)
            {
                error.WriteLine($"refnet {command.Name}: {e.Message}");
                return 2;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException
                or FormatException or UnauthorizedAccessException or InvalidDataException or NotSupportedException
                or System.Text.Json.JsonException)
            {
                error.WriteLine($"refnet {command.Name}: {OneLine(e)}");
                return 1;
            }
            catch (Exception e) when (Environment.GetEnvironmentVariable("REFNET_DEBUG") is null or "" or "0")
            {
                // Anything else is a bug in RefNet: still one line, with the exception type so it can be reported.
                error.WriteLine($"refnet {command.Name}: internal error ({e.GetType().Name}): {OneLine(e)} (set REFNET_DEBUG=1 for the stack trace)");
                return 3;
            }
        }

        /// <summary>The message of <paramref name="e"/> without .NET's " (Parameter 'name')" suffix, on one line.</summary>
        private static string OneLine(Exception e)
        {
            string message = e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", string.Empty) : e.Message;
            return message.ReplaceLineEndings(" ");
        }
    }
}
