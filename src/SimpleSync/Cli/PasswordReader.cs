namespace SimpleSync.Cli;

/// <summary>
/// Reads a password: the first line of stdin when it is piped, or typed without echo at a terminal
/// (twice, to catch typos). Never from the command line, where other users could see it.
/// </summary>
/// <param name="terminalKeys">The keys typed at the terminal, not echoed; null when stdin is not a terminal.</param>
internal sealed class PasswordReader(string commandName, TextReader input, TextWriter prompts, Func<ConsoleKeyInfo>? terminalKeys)
{
    /// <summary>The keys of this process's terminal, read without echo; null when stdin is redirected.</summary>
    public static Func<ConsoleKeyInfo>? ConsoleKeys() => Console.IsInputRedirected ? null : () => Console.ReadKey(intercept: true);

    public string Read()
    {
        if (terminalKeys is null)
        {
            return input.ReadLine()?.TrimEnd('\r')
                ?? throw new UsageException($"{commandName}: expected the password on standard input");
        }
        var first = ReadHidden(terminalKeys, "New password: ");
        var second = ReadHidden(terminalKeys, "Repeat it: ");
        return first == second ? first : throw new UsageException($"{commandName}: the two passwords differ");
    }

    private string ReadHidden(Func<ConsoleKeyInfo> keys, string prompt)
    {
        // Prompts go to stderr, so that stdout carries only the command's result (user add prints the uuid).
        prompts.Write(prompt);
        var text = new System.Text.StringBuilder();
        for (var key = keys(); key.Key != ConsoleKey.Enter; key = keys())
        {
            if (key.Key != ConsoleKey.Backspace)
                text.Append(key.KeyChar);
            else if (text.Length > 0)
                text.Length--;
        }
        prompts.WriteLine();
        return text.ToString();
    }
}
