using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ArchDsl.Core.Shapes;

/// <summary>
/// An integer expression over block parameters and input dimensions ("width * 4", "inChannels").
/// Constants fold as they are built, so a fully concrete model carries plain numbers and a block
/// carries readable C# expressions for its constructor.
/// </summary>
public abstract class Expr : IEquatable<Expr>
{
    public static Expr Const(long value) => value >= 0 && value < SmallConstants.Length ? SmallConstants[value] : new ConstExpr(value);

    // Sizes, strides and kernels are mostly small: one shared instance each (expressions are immutable).
    private static readonly ConstExpr[] SmallConstants = CreateSmallConstants(1025);

    private static ConstExpr[] CreateSmallConstants(int count)
    {
        var all = new ConstExpr[count];
        for (int i = 0; i < count; i++) all[i] = new ConstExpr(i);
        return all;
    }
    public static Expr Var(string name) => new VarExpr(name);

    public bool IsConst => this is ConstExpr;
    public long ConstValue => ((ConstExpr)this).Value;

    public static Expr operator +(Expr a, Expr b) => Binary('+', a, b);
    public static Expr operator -(Expr a, Expr b) => Binary('-', a, b);
    public static Expr operator *(Expr a, Expr b) => Binary('*', a, b);
    public static Expr operator /(Expr a, Expr b) => Binary('/', a, b);

    public static Expr Binary(char op, Expr a, Expr b)
    {
        if (a is ConstExpr ca && b is ConstExpr cb && !(op == '/' && cb.Value == 0) && !(op == '%' && cb.Value == 0))
        {
            // Folding uses checked arithmetic: an overflow here is reported by the evaluator.
            return Const(op switch
            {
                '+' => checked(ca.Value + cb.Value),
                '-' => checked(ca.Value - cb.Value),
                '*' => checked(ca.Value * cb.Value),
                '/' => FloorDiv(ca.Value, cb.Value),
                _ => ca.Value % cb.Value,
            });
        }
        // Identities that keep generated code readable.
        if (op == '+' && a is ConstExpr { Value: 0 }) return b;
        if ((op == '+' || op == '-') && b is ConstExpr { Value: 0 }) return a;
        if (op == '*' && a is ConstExpr { Value: 1 }) return b;
        if ((op == '*' || op == '/') && b is ConstExpr { Value: 1 }) return a;
        if (op == '*' && (a is ConstExpr { Value: 0 } || b is ConstExpr { Value: 0 })) return Const(0);
        if (op == '-' && a.Equals(b)) return Const(0);
        if (op == '/' && a.Equals(b)) return Const(1);
        // (x + c1) + c2 and (x - c1) + c2 fold into one constant.
        if ((op == '+' || op == '-') && b is ConstExpr c2 && a is BinaryExpr { Op: '+' or '-', Right: ConstExpr c1 } inner)
        {
            long left = inner.Op == '+' ? c1.Value : -c1.Value;
            long total = checked(op == '+' ? left + c2.Value : left - c2.Value);
            return total >= 0 ? Binary('+', inner.Left, Const(total)) : Binary('-', inner.Left, Const(-total));
        }
        return new BinaryExpr(op, a, b);
    }

    public static long FloorDiv(long a, long b)
    {
        long q = a / b;
        if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
        return q;
    }

    /// <summary>Evaluates with the given variable values; null when a variable is missing.</summary>
    public abstract long? Evaluate(Func<string, long?> lookup);

    /// <summary>Replaces variables by other expressions (folding as it goes).</summary>
    public abstract Expr Substitute(Func<string, Expr?> map);

    public abstract void CollectVariables(ISet<string> into);

    /// <summary>Variable names in order of first appearance.</summary>
    public List<string> Variables()
    {
        var ordered = new List<string>();
        Visit(this, ordered);
        return ordered;

        static void Visit(Expr e, List<string> into)
        {
            switch (e)
            {
                case VarExpr v:
                    if (!into.Contains(v.Name)) into.Add(v.Name);
                    break;
                case BinaryExpr b:
                    Visit(b.Left, into);
                    Visit(b.Right, into);
                    break;
            }
        }
    }

    /// <summary>C# source text; identifiers are mapped through <paramref name="name"/>.</summary>
    public string ToCSharp(Func<string, string>? name = null)
    {
        if (this is ConstExpr { Value: >= 0 } c) return c.Value.ToString(CultureInfo.InvariantCulture);
        if (this is VarExpr v) return name is null ? v.Name : name(v.Name);
        var sb = new StringBuilder();
        Write(sb, name ?? (s => s), 0);
        return sb.ToString();
    }

    public override string ToString() => ToCSharp();

    internal abstract void Write(StringBuilder sb, Func<string, string> name, int parentPrecedence);

    public abstract bool Equals(Expr? other);
    public override bool Equals(object? obj) => obj is Expr e && Equals(e);
    public abstract override int GetHashCode();

    private sealed class ConstExpr : Expr
    {
        public readonly long Value;
        public ConstExpr(long value) => Value = value;
        public override long? Evaluate(Func<string, long?> lookup) => Value;
        public override Expr Substitute(Func<string, Expr?> map) => this;
        public override void CollectVariables(ISet<string> into) { }
        internal override void Write(StringBuilder sb, Func<string, string> name, int p)
        {
            if (Value < 0 && p > 0) sb.Append('(').Append(Value.ToString(CultureInfo.InvariantCulture)).Append(')');
            else sb.Append(Value.ToString(CultureInfo.InvariantCulture));
        }
        public override bool Equals(Expr? other) => other is ConstExpr c && c.Value == Value;
        public override int GetHashCode() => Value.GetHashCode();
    }

    private sealed class VarExpr : Expr
    {
        public readonly string Name;
        public VarExpr(string name) => Name = name;
        public override long? Evaluate(Func<string, long?> lookup) => lookup(Name);
        public override Expr Substitute(Func<string, Expr?> map) => map(Name) ?? this;
        public override void CollectVariables(ISet<string> into) => into.Add(Name);
        internal override void Write(StringBuilder sb, Func<string, string> name, int p) => sb.Append(name(Name));
        public override bool Equals(Expr? other) => other is VarExpr v && v.Name == Name;
        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);
    }

    private sealed class BinaryExpr : Expr
    {
        public readonly char Op;
        public readonly Expr Left, Right;
        public BinaryExpr(char op, Expr left, Expr right) { Op = op; Left = left; Right = right; }

        private int Precedence => Op is '+' or '-' ? 1 : 2;

        public override long? Evaluate(Func<string, long?> lookup)
        {
            var l = Left.Evaluate(lookup);
            var r = Right.Evaluate(lookup);
            if (l is null || r is null) return null;
            if ((Op == '/' || Op == '%') && r.Value == 0) return null;
            return Op switch
            {
                '+' => checked(l.Value + r.Value),
                '-' => checked(l.Value - r.Value),
                '*' => checked(l.Value * r.Value),
                '/' => FloorDiv(l.Value, r.Value),
                _ => l.Value % r.Value,
            };
        }

        public override Expr Substitute(Func<string, Expr?> map) => Binary(Op, Left.Substitute(map), Right.Substitute(map));
        public override void CollectVariables(ISet<string> into) { Left.CollectVariables(into); Right.CollectVariables(into); }

        internal override void Write(StringBuilder sb, Func<string, string> name, int p)
        {
            int mine = Precedence;
            bool paren = mine < p;
            if (paren) sb.Append('(');
            Left.Write(sb, name, mine);
            sb.Append(' ').Append(Op).Append(' ');
            // Only + is associative on the right in integer arithmetic: a - (b - c) and a * (b / c) keep their parentheses.
            Right.Write(sb, name, Op == '+' ? mine : mine + 1);
            if (paren) sb.Append(')');
        }

        public override bool Equals(Expr? other) => other is BinaryExpr b && b.Op == Op && b.Left.Equals(Left) && b.Right.Equals(Right);
        public override int GetHashCode() => unchecked(Op * 397 ^ Left.GetHashCode() * 31 ^ Right.GetHashCode());
    }
}

/// <summary>Parses the small expression language used in attribute strings.</summary>
public static class ExprParser
{
    /// <summary>Parses "width * 4". Returns null and an error message when the text is malformed.</summary>
    public static Expr? Parse(string text, out string? error)
    {
        var p = new Parser(text);
        try
        {
            var e = p.ParseSum();
            p.SkipSpace();
            if (!p.AtEnd) throw new FormatException($"unexpected '{p.Current}' at position {p.Position + 1}");
            error = null;
            return e;
        }
        catch (FormatException ex)
        {
            error = ex.Message;
            return null;
        }
        catch (OverflowException)
        {
            error = "a number does not fit in 64 bits";
            return null;
        }
    }

    /// <summary>Parses "name = expr, name = expr". Names keep their order; a repeated name is an error.</summary>
    public static List<KeyValuePair<string, Expr>>? ParseBindings(string text, out string? error)
    {
        var result = new List<KeyValuePair<string, Expr>>();
        if (string.IsNullOrWhiteSpace(text)) { error = null; return result; }
        foreach (var part in text.Split(','))
        {
            int eq = part.IndexOf('=');
            if (eq < 0) { error = $"'{part.Trim()}' is not of the form name = value"; return null; }
            string name = part.Substring(0, eq).Trim();
            if (!IsIdentifier(name)) { error = $"'{name}' is not a parameter name"; return null; }
            foreach (var kv in result)
                if (kv.Key == name) { error = $"'{name}' is given twice"; return null; }
            var e = Parse(part.Substring(eq + 1), out var inner);
            if (e is null) { error = $"{name}: {inner}"; return null; }
            result.Add(new KeyValuePair<string, Expr>(name, e));
        }
        error = null;
        return result;
    }

    public static bool IsIdentifier(string s)
    {
        if (s.Length == 0 || !(char.IsLetter(s[0]) || s[0] == '_')) return false;
        foreach (var c in s)
            if (!(char.IsLetterOrDigit(c) || c == '_')) return false;
        return true;
    }

    private sealed class Parser
    {
        private readonly string _s;
        public int Position;
        public Parser(string s) => _s = s;
        public bool AtEnd => Position >= _s.Length;
        public char Current => _s[Position];

        public void SkipSpace() { while (!AtEnd && char.IsWhiteSpace(Current)) Position++; }

        public Expr ParseSum()
        {
            var left = ParseProduct();
            while (true)
            {
                SkipSpace();
                if (AtEnd || (Current != '+' && Current != '-')) return left;
                char op = Current; Position++;
                left = Expr.Binary(op, left, ParseProduct());
            }
        }

        private Expr ParseProduct()
        {
            var left = ParseAtom();
            while (true)
            {
                SkipSpace();
                if (AtEnd || (Current != '*' && Current != '/' && Current != '%')) return left;
                char op = Current; Position++;
                var right = ParseAtom();
                if ((op == '/' || op == '%') && right.IsConst && right.ConstValue == 0) throw new FormatException("division by zero");
                left = Expr.Binary(op, left, right);
            }
        }

        private Expr ParseAtom()
        {
            SkipSpace();
            if (AtEnd) throw new FormatException("expression ends too early");
            char c = Current;
            if (c == '(')
            {
                Position++;
                var inner = ParseSum();
                SkipSpace();
                if (AtEnd || Current != ')') throw new FormatException("missing ')'");
                Position++;
                return inner;
            }
            if (char.IsDigit(c))
            {
                int start = Position;
                while (!AtEnd && (char.IsDigit(Current) || Current == '_')) Position++;
                var digits = _s.Substring(start, Position - start).Replace("_", "");
                return Expr.Const(long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture));
            }
            if (char.IsLetter(c) || c == '_')
            {
                int start = Position;
                while (!AtEnd && (char.IsLetterOrDigit(Current) || Current == '_')) Position++;
                return Expr.Var(_s.Substring(start, Position - start));
            }
            throw new FormatException($"unexpected '{c}' at position {Position + 1}");
        }
    }
}
